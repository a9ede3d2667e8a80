// The one source of truth for the shape of Gõ Cửa's data. The app, the server
// and exports import these schemas; TypeScript types are inferred from them.
//
// Messages are i18n keys under "validation.*" (locales/*/common.json), so the
// same schema gives a Vietnamese or English message per field on the device,
// and a stable machine-readable reason on the server.
//
// Objects are .strict(): an unknown key is an error, not silently kept. There is
// deliberately no field for national ID numbers or citizens' passwords, and a
// strict schema means nobody can smuggle one in through the sync API either.
import { z } from 'zod';
import { normalisePhone } from './phone';
import {
  BLOCKERS,
  CASE_STATUSES,
  ESCALATION_REASONS,
  PLATFORMS,
  PLATFORM_STEPS,
  STEP_STATUSES,
  isPlatformStep,
  type Platform,
} from './platforms';

const MIN_BIRTH_YEAR = 1900;

const required = (max: number) =>
  z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(max, 'validation.tooLong');
const optionalText = (max: number) => z.string().trim().max(max, 'validation.tooLong').optional();

const isoDateTime = z.iso.datetime({ offset: true, error: 'validation.datetime' });
export const isoDate = z.iso.date({ error: 'validation.date' });
const recordId = z.uuid({ error: 'validation.id' });

const phoneSchema = z.string().transform((value, ctx) => {
  const phone = normalisePhone(value);
  if (phone === null) {
    ctx.addIssue({ code: 'custom', message: 'validation.phone' });
    return z.NEVER;
  }
  return phone;
});

const birthYearSchema = z
  .number({ error: 'validation.birthYear' })
  .int('validation.birthYear')
  .min(MIN_BIRTH_YEAR, 'validation.birthYear')
  // Evaluated at parse time so the bound moves with the calendar.
  .refine((y) => y <= new Date().getFullYear(), 'validation.birthYear');

/** Fields every synced record carries. */
const baseRecordShape = {
  id: recordId,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  deleted: z.boolean(),
  wardCode: required(40),
};

// ---------------------------------------------------------------- household

export const POVERTY_STATUSES = ['none', 'near_poor', 'poor'] as const;
export type PovertyStatus = (typeof POVERTY_STATUSES)[number];

const addressSchema = z
  .object({
    houseNumber: required(20),
    lane: optionalText(60),
    subLane: optionalText(60),
    street: required(80),
  })
  .strict();
export type Address = z.infer<typeof addressSchema>;

const consentSchema = z
  .object({
    given: z.boolean(),
    at: isoDateTime,
    by: required(64),
  })
  .strict();

export const householdSchema = z
  .object({
    ...baseRecordShape,
    group: required(40),
    address: addressSchema,
    headName: optionalText(100),
    phone: phoneSchema.optional(),
    povertyStatus: z.enum(POVERTY_STATUSES, { error: 'validation.choice' }),
    consent: consentSchema,
    notes: optionalText(1000),
  })
  .strict()
  .superRefine((h, ctx) => {
    // Without consent a door may be registered by its address only (so coverage
    // can count "not home" and "declined"), but no personal detail is kept.
    if (h.consent.given) {
      if (!h.headName) ctx.addIssue({ code: 'custom', path: ['headName'], message: 'validation.required' });
    } else {
      for (const key of ['headName', 'phone', 'notes'] as const) {
        if (h[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'validation.consentRequired' });
      }
    }
  });
export type Household = z.infer<typeof householdSchema>;

// ---------------------------------------------------------------- person

const stepSchema = z
  .object({
    status: z.enum(STEP_STATUSES, { error: 'validation.choice' }),
    blocker: z.enum(BLOCKERS, { error: 'validation.choice' }).optional(),
    blockerText: optionalText(200),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.status === 'blocked' && !s.blocker)
      ctx.addIssue({ code: 'custom', path: ['blocker'], message: 'validation.blockerRequired' });
    if (s.status !== 'blocked' && s.blocker)
      ctx.addIssue({ code: 'custom', path: ['blocker'], message: 'validation.blockerOnlyWhenBlocked' });
    if (s.blocker === 'other' && !s.blockerText)
      ctx.addIssue({ code: 'custom', path: ['blockerText'], message: 'validation.blockerText' });
  });
export type Step = z.infer<typeof stepSchema>;

function checklistSchema<P extends Platform>(platform: P) {
  const steps = Object.fromEntries(PLATFORM_STEPS[platform].map((s) => [s, stepSchema])) as Record<
    (typeof PLATFORM_STEPS)[P][number],
    typeof stepSchema
  >;
  return z.object({ steps: z.object(steps).strict(), independent: z.boolean() }).strict();
}

const platformsSchema = z
  .object({
    vneid: checklistSchema('vneid'),
    ihanoi: checklistSchema('ihanoi'),
    nationalPortal: checklistSchema('nationalPortal'),
    mpsPortal: checklistSchema('mpsPortal'),
  })
  .strict();
export type Platforms = z.infer<typeof platformsSchema>;

export const SEXES = ['female', 'male', 'other'] as const;

export const personSchema = z
  .object({
    ...baseRecordShape,
    householdId: recordId,
    fullName: required(100),
    birthYear: birthYearSchema.optional(),
    sex: z.enum(SEXES, { error: 'validation.choice' }).optional(),
    phone: phoneSchema.optional(),
    hasSmartphone: z.boolean().optional(),
    flags: z.object({ disability: z.boolean(), livesAlone: z.boolean() }).strict(),
    platforms: platformsSchema,
  })
  .strict();
export type Person = z.infer<typeof personSchema>;

export function emptyPlatforms(): Platforms {
  const make = <P extends Platform>(p: P) => ({
    steps: Object.fromEntries(PLATFORM_STEPS[p].map((s) => [s, { status: 'not_started' as const }])),
    independent: false,
  });
  return {
    vneid: make('vneid'),
    ihanoi: make('ihanoi'),
    nationalPortal: make('nationalPortal'),
    mpsPortal: make('mpsPortal'),
  } as Platforms;
}

// ---------------------------------------------------------------- visit

const CHANNELS = ['door', 'literacy_point'] as const;
export const OUTCOMES = ['helped', 'not_home', 'declined', 'revisit'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const visitStepSchema = z
  .object({
    platform: z.enum(PLATFORMS, { error: 'validation.unknownPlatform' }),
    step: z.string(),
    status: z.enum(STEP_STATUSES, { error: 'validation.choice' }),
    blocker: z.enum(BLOCKERS, { error: 'validation.choice' }).optional(),
    blockerText: optionalText(200),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!isPlatformStep(s.platform, s.step))
      ctx.addIssue({ code: 'custom', path: ['step'], message: 'validation.unknownStep' });
    if (s.status === 'blocked' && !s.blocker)
      ctx.addIssue({ code: 'custom', path: ['blocker'], message: 'validation.blockerRequired' });
    if (s.blocker === 'other' && !s.blockerText)
      ctx.addIssue({ code: 'custom', path: ['blockerText'], message: 'validation.blockerText' });
  });
export type VisitStep = z.infer<typeof visitStepSchema>;

const visitPersonSchema = z
  .object({
    personId: recordId.optional(),
    walkInName: optionalText(100),
    walkInBirthYear: birthYearSchema.optional(),
    walkInFlags: z.object({ disability: z.boolean(), poorHousehold: z.boolean() }).strict().optional(),
    steps: z.array(visitStepSchema).max(60, 'validation.tooMany'),
    /** Platforms the person used alone, unaided, during this visit. */
    independent: z.array(z.enum(PLATFORMS)).max(4).optional(),
  })
  .strict();
export type VisitPerson = z.infer<typeof visitPersonSchema>;

// `detail` is optional here only because an erasure (consent withdrawn, or the
// household deleted) removes it from stored visits while the reason stays for
// the ward's figures. A NEW escalation must have it: the device's recordVisit
// checks that with escalationNeedsDetail() below.
const escalateSchema = z
  .object({
    reason: z.enum(ESCALATION_REASONS, { error: 'validation.choice' }),
    detail: required(500).optional(),
  })
  .strict();

/** The path and message when a new visit escalates without saying why in words. */
export function escalationNeedsDetail(visit: { escalate?: { detail?: string | undefined } | undefined }): Record<string, string> | undefined {
  return visit.escalate && !visit.escalate.detail ? { 'escalate.detail': 'validation.required' } : undefined;
}

export const visitSchema = z
  .object({
    ...baseRecordShape,
    householdId: recordId.optional(),
    channel: z.enum(CHANNELS, { error: 'validation.choice' }),
    literacyPointId: optionalText(80),
    at: isoDateTime,
    volunteerId: required(64),
    outcome: z.enum(OUTCOMES, { error: 'validation.choice' }),
    people: z.array(visitPersonSchema).max(30, 'validation.tooMany'),
    services: z.array(required(100)).max(20, 'validation.tooMany'),
    followUpOn: isoDate.optional(),
    escalate: escalateSchema.optional(),
    notes: optionalText(1000),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.channel === 'door' && !v.householdId)
      ctx.addIssue({ code: 'custom', path: ['householdId'], message: 'validation.required' });
    if (v.channel === 'literacy_point' && !v.literacyPointId)
      ctx.addIssue({ code: 'custom', path: ['literacyPointId'], message: 'validation.required' });
  });
export type Visit = z.infer<typeof visitSchema>;

// ---------------------------------------------------------------- case

// CASE_STATUSES lives with the other codes (platforms.ts, no zod), so the
// router can read a status from the URL without loading zod on the first screen.
export { CASE_STATUSES, type CaseStatus } from './platforms';

/**
 * An escalation case: created by the SERVER when a visit with `escalate`
 * arrives (server/cases.ts; its id is caseIdForVisit(visitId)), never by a
 * device. Responders and supervisors change only status, assigneeId,
 * resolution and resolvedAt; visitId, householdId, group, reason and detail are
 * copied from the visit and never change (an erasure removes `detail`, as it
 * does the visit's). A resolved case says how (resolution) and when (resolvedAt);
 * an open or in-progress one has no resolvedAt.
 */
export const caseSchema = z
  .object({
    ...baseRecordShape,
    visitId: recordId,
    householdId: recordId.optional(),
    group: required(40).optional(),
    reason: z.enum(ESCALATION_REASONS, { error: 'validation.choice' }),
    detail: required(500).optional(),
    status: z.enum(CASE_STATUSES, { error: 'validation.choice' }),
    assigneeId: required(64).optional(),
    resolution: optionalText(1000),
    resolvedAt: isoDateTime.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.status === 'resolved') {
      if (!c.resolution) ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'validation.required' });
      if (!c.resolvedAt) ctx.addIssue({ code: 'custom', path: ['resolvedAt'], message: 'validation.required' });
    } else if (c.resolvedAt !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['resolvedAt'], message: 'validation.resolvedOnly' });
    }
  });
export type Case = z.infer<typeof caseSchema>;

/** The case fields a responder or supervisor may change from a device; the rest are the server's. */
export const CASE_EDITABLE_FIELDS = ['status', 'assigneeId', 'resolution', 'resolvedAt'] as const;

// ---------------------------------------------------------------- entities

export const ENTITIES = ['household', 'person', 'visit', 'case'] as const;
export type Entity = (typeof ENTITIES)[number];

export const entitySchemas = {
  household: householdSchema,
  person: personSchema,
  visit: visitSchema,
  case: caseSchema,
} as const;

/** The record type of each entity: lets the device's data layer map an entity to its table without casts. */
export type EntityRecord = { household: Household; person: Person; visit: Visit; case: Case };

// ---------------------------------------------------------------- users

export const ROLES = ['volunteer', 'supervisor', 'responder', 'city'] as const;
export type Role = (typeof ROLES)[number];

export const userProfileSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  wardCode: z.string(),
  groups: z.array(z.string()),
});
export type UserProfile = z.infer<typeof userProfileSchema>;

/** Field-level messages from a failed parse: { "address.street": "validation.required" }. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
