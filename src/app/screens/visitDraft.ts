// What a visit form's draft records, as pure functions: the door visit
// (VisitForm) and the literacy-point walk-in (LiteracyPoint).
//
// A draft holds changes only: per person, "platform.step" → the state the
// volunteer tapped to. Building the visit also returns where every recorded
// step came from (`origins[person][step]`), because a schema error comes back
// as a path ("people.0.steps.2.blocker") and must land under the chip that
// made it, not under whatever chip is third today.
import type { EscalationReason, Platform } from '../../shared/platforms';
import type { Outcome, Person, VisitPerson, VisitStep } from '../../shared/schemas';
import type { VisitInput } from '../db/repo';
import type { StepState } from '../components/PlatformChecklist';

export interface StepOrigin {
  /** Unset for a walk-in, who has no person record. */
  personId?: string | undefined;
  platform: Platform;
  step: string;
}

export interface BuiltVisit {
  input: VisitInput;
  origins: StepOrigin[][];
}

/**
 * The services to save: the chips plus whatever is still typed in the box, so
 * a volunteer does not need an extra "add" tap for the last one.
 */
export function servicesToSave(services: readonly string[], input: string): string[] {
  const s = input.trim();
  return s && !services.includes(s) ? [...services, s] : [...services];
}

/** A draft's step changes for one platform, keyed by step. */
export function stepsFor(changes: Readonly<Record<string, StepState>>, platform: Platform): Record<string, StepState> {
  const out: Record<string, StepState> = {};
  for (const [key, state] of Object.entries(changes)) {
    const [pl, step] = key.split('.');
    if (pl === platform && step) out[step] = state;
  }
  return out;
}

/** One drafted step as the visit records it: a blocker only on a blocked step, its text trimmed. */
function visitStep(key: string, s: StepState): { entry: VisitStep; platform: Platform; step: string } {
  const [platform, step] = key.split('.') as [Platform, string];
  const entry: VisitStep = { platform, step, status: s.status };
  if (s.status === 'blocked' && s.blocker) entry.blocker = s.blocker;
  if (s.status === 'blocked' && s.blockerText?.trim()) entry.blockerText = s.blockerText.trim();
  return { entry, platform, step };
}

/** The errors of one person's checklist for one platform, keyed by step, from the failed write's paths. */
export function stepErrors(
  errors: Readonly<Record<string, string>>,
  origins: readonly StepOrigin[][],
  platform: Platform,
  personId?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const m = /^people\.(\d+)\.steps\.(\d+)\./.exec(path);
    const o = m ? origins[Number(m[1])]?.[Number(m[2])] : undefined;
    if (o && o.personId === personId && o.platform === platform) out[o.step] = message;
  }
  return out;
}

/**
 * ServicesInput's props for either draft: the services added, the text still in
 * the box, and the first error about the services (the list or one of them).
 */
export function servicesInputProps<D extends { services: string[]; serviceInput: string }>(
  d: D,
  update: (fn: (prev: D) => D) => void,
  errors: Readonly<Record<string, string>>,
) {
  return {
    services: d.services,
    input: d.serviceInput,
    onServices: (services: string[]) => update((prev) => ({ ...prev, services })),
    onInput: (serviceInput: string) => update((prev) => ({ ...prev, serviceInput })),
    error: Object.entries(errors).find(([k]) => k.startsWith('services'))?.[1],
  };
}

// ---------------------------------------------------------------- door visit

export interface VisitDraft {
  outcome: Outcome;
  /** Changes only, per person id, keyed "platform.step". */
  steps: Record<string, Record<string, StepState>>;
  independent: Record<string, Platform[]>;
  services: string[];
  serviceInput: string;
  followUpOn: string;
  escalate: boolean;
  escalateReason: EscalationReason | '';
  escalateDetail: string;
  notes: string;
}

export const emptyVisitDraft = (): VisitDraft => ({
  outcome: 'helped',
  steps: {},
  independent: {},
  services: [],
  serviceInput: '',
  followUpOn: '',
  escalate: false,
  escalateReason: '',
  escalateDetail: '',
  notes: '',
});

export const visitDraftKey = (householdId: string) => `visit:${householdId}`;

/** Outcomes where nobody was helped, so no checklist and no services are recorded. */
const NO_CONTACT: readonly Outcome[] = ['not_home', 'declined'];

export function isContact(outcome: Outcome): boolean {
  return !NO_CONTACT.includes(outcome);
}

/**
 * The visit a door draft records. Only people with a change are listed; an
 * "alone" mark the person already has is not recorded again. The escalation
 * reason goes through as typed (even empty), so the schema, not this
 * function, says what is missing.
 */
export function visitFromDraft(householdId: string, d: VisitDraft, people: readonly Person[]): BuiltVisit {
  const contact = isContact(d.outcome);
  const origins: StepOrigin[][] = [];
  const visitPeople: VisitPerson[] = [];
  if (contact) {
    for (const p of people) {
      const changes = Object.entries(d.steps[p.id] ?? {});
      const independent = (d.independent[p.id] ?? []).filter((pl) => !p.platforms[pl].independent);
      if (changes.length === 0 && independent.length === 0) continue;
      const steps: VisitStep[] = [];
      const from: StepOrigin[] = [];
      for (const [key, s] of changes) {
        const { entry, platform, step } = visitStep(key, s);
        steps.push(entry);
        from.push({ personId: p.id, platform, step });
      }
      visitPeople.push({ personId: p.id, steps, ...(independent.length ? { independent } : {}) });
      origins.push(from);
    }
  }
  return {
    input: {
      householdId,
      channel: 'door',
      outcome: d.outcome,
      people: visitPeople,
      services: contact ? servicesToSave(d.services, d.serviceInput) : [],
      followUpOn: d.followUpOn || undefined,
      escalate: d.escalate ? { reason: d.escalateReason as EscalationReason, detail: d.escalateDetail } : undefined,
      notes: d.notes || undefined,
    },
    origins,
  };
}

// ---------------------------------------------------------------- literacy-point walk-in

export interface WalkInDraft {
  anonymous: boolean;
  name: string;
  birthYear: string;
  disability: boolean;
  poorHousehold: boolean;
  /** Keyed "platform.step". */
  steps: Record<string, StepState>;
  independent: Platform[];
  services: string[];
  serviceInput: string;
}

export const emptyWalkIn = (): WalkInDraft => ({
  anonymous: false,
  name: '',
  birthYear: '',
  disability: false,
  poorHousehold: false,
  steps: {},
  independent: [],
  services: [],
  serviceInput: '',
});

/** The typed birth year: undefined when blank, NaN when not a whole number (the schema rejects it). */
export function walkInBirthYear(d: WalkInDraft): number | undefined {
  const year = d.birthYear.trim();
  return year === '' ? undefined : /^\d+$/.test(year) ? Number(year) : Number.NaN;
}

/** The visit a walk-in draft records at a literacy point: always "helped", one person, no household. */
export function walkInFromDraft(point: string, d: WalkInDraft): BuiltVisit {
  const birthYear = walkInBirthYear(d);
  const from: StepOrigin[] = [];
  const steps: VisitStep[] = [];
  for (const [key, s] of Object.entries(d.steps)) {
    if (s.status === 'not_started') continue;
    const { entry, platform, step } = visitStep(key, s);
    steps.push(entry);
    from.push({ platform, step });
  }
  return {
    input: {
      channel: 'literacy_point',
      literacyPointId: point,
      outcome: 'helped',
      people: [
        {
          ...(!d.anonymous && d.name.trim() ? { walkInName: d.name.trim() } : {}),
          ...(birthYear !== undefined ? { walkInBirthYear: birthYear } : {}),
          walkInFlags: { disability: d.disability, poorHousehold: d.poorHousehold },
          steps,
          ...(d.independent.length ? { independent: d.independent } : {}),
        },
      ],
      services: servicesToSave(d.services, d.serviceInput),
    },
    origins: [from],
  };
}
