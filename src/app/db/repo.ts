// Every write the app makes. Each function writes the record AND its outbox
// entry in ONE Dexie 'rw' transaction, so either both are stored or neither is:
// a volunteer's record can never exist without the change that will sync it,
// and the queue never carries a change for a record that was not saved.
//
// Nothing inside a transaction awaits anything but IndexedDB itself (no fetch,
// no timers): IndexedDB commits a transaction as soon as a task passes with no
// request pending, and the rest of the write would then fail on its own.
//
// Expected failures are returned as values, never thrown:
//   { ok: false, reason: 'invalid', errors }  per-field i18n keys from the shared schema
//   { ok: false, reason: 'quota' }            the device is full; nothing was written
//   { ok: false, reason: 'not_found' | 'consent_required' }
import type { Table } from 'dexie';
import type { z } from 'zod';
import {
  caseSchema,
  emptyPlatforms,
  escalationNeedsDetail,
  fieldErrors,
  householdSchema,
  personSchema,
  visitSchema,
  type Case,
  type EntityRecord,
  type Household,
  type Person,
  type Step,
  type Visit,
  type VisitPerson,
} from '../../shared/schemas';
import type { Platform } from '../../shared/platforms';
import { allFields, diffFields } from '../../shared/fields';
import { uuidv7 } from '../../shared/ids';
import {
  refreshDue,
  stripLocal,
  toHouseholdRow,
  toPersonRow,
  toVisitRow,
  dueAfterNewVisit,
  type GoCuaDB,
  type OutboxEntry,
} from './database';
import { emitSaved } from './events';
import { putRecord } from './records';

export interface Actor {
  userId: string;
  wardCode: string;
}

export type WriteFailure =
  | { ok: false; reason: 'invalid'; errors: Record<string, string> }
  | { ok: false; reason: 'quota' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'consent_required' };
export type WriteResult<T> = { ok: true; record: T; changed: boolean } | WriteFailure;

const nowIso = () => new Date().toISOString();

function isQuotaError(e: unknown): boolean {
  for (let err = e as { name?: string; inner?: unknown } | undefined; err; err = err.inner as typeof err) {
    if (err.name === 'QuotaExceededError') return true;
  }
  return false;
}

/** Thrown inside a transaction to roll back everything it wrote; returned as a value. */
class Abort extends Error {
  constructor(readonly failure: WriteFailure) {
    super(failure.reason);
  }
}

/** What a write returns when it succeeds; `changed` is false when there was nothing to store. */
type Written = { ok: true; changed: boolean };

/**
 * Runs a write transaction, turning quota errors and aborts into values and
 * announcing a change. Every write goes through here, attention.ts's too, so
 * its scope is every table a person's change can touch: the records, the
 * outbox and the "needs attention" list. A write that provably touches fewer
 * (recordVisit's common save) may pass a narrower scope: fewer stores to lock.
 */
export async function write<R extends Written>(
  db: GoCuaDB,
  body: () => Promise<R | WriteFailure>,
  scope: Table[] = [db.households, db.people, db.visits, db.cases, db.outbox, db.attention],
): Promise<R | WriteFailure> {
  try {
    const result = await db.transaction('rw', scope, body);
    if (result.ok && result.changed) emitSaved();
    return result;
  } catch (e) {
    if (e instanceof Abort) return e.failure;
    if (isQuotaError(e)) return { ok: false, reason: 'quota' };
    throw e;
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | WriteFailure {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, data: r.data } : { ok: false, reason: 'invalid', errors: fieldErrors(r.error) };
}

/**
 * Blank text is absent: the one rule for it in this file. Lays what a person
 * entered over `base` ({} for a new record). A field given as undefined or as
 * text that is only spaces is removed, not stored; a nested object (an address)
 * is cleaned the same way and replaces the old one whole; a list of text keeps
 * only its non-blank entries.
 */
function withInput(base: object, input: object): Record<string, unknown> {
  const blank = (v: unknown) => v === undefined || (typeof v === 'string' && v.trim() === '');
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(input)) {
    if (blank(v)) delete out[k];
    else if (Array.isArray(v)) out[k] = v.filter((x) => !blank(x));
    else if (v && typeof v === 'object') out[k] = withInput({}, v);
    else out[k] = v;
  }
  return out;
}

/** What every new record starts with: a fresh id, created now, not deleted, in the actor's ward. */
function newRecordFields(actor: Actor, at: string) {
  return { id: uuidv7(), createdAt: at, updatedAt: at, deleted: false, wardCode: actor.wardCode };
}

function outboxCreate(entity: OutboxEntry['entity'], record: { id: string }, at: string): OutboxEntry {
  return { entity, id: record.id, op: 'upsert', fields: allFields(record), at };
}

// ---------------------------------------------------------------- households

export interface HouseholdInput {
  group: string;
  address: Household['address'];
  headName?: string | undefined;
  phone?: string | undefined;
  povertyStatus: Household['povertyStatus'];
  notes?: string | undefined;
  /** The volunteer asked and the household agreed to have its details recorded. */
  consentGiven: boolean;
}

export function createHousehold(db: GoCuaDB, actor: Actor, input: HouseholdInput): Promise<WriteResult<Household>> {
  const at = nowIso();
  const { consentGiven, ...rest } = input;
  const parsed = parse(householdSchema, {
    ...withInput({}, rest),
    ...newRecordFields(actor, at),
    consent: { given: consentGiven, at, by: actor.userId },
  });
  if (!parsed.ok) return Promise.resolve(parsed);
  const record = parsed.data;
  return write(db, async () => {
    await db.households.add(toHouseholdRow(record));
    await db.outbox.add(outboxCreate('household', record, at));
    return { ok: true, record, changed: true };
  });
}

export function updateHousehold(
  db: GoCuaDB,
  actor: Actor,
  id: string,
  patch: Partial<HouseholdInput>,
): Promise<WriteResult<Household>> {
  return write(db, async () => {
    const row = await db.households.get(id);
    if (!row || row.deleted) return { ok: false, reason: 'not_found' };
    const before = stripLocal(row);
    const at = nowIso();
    const { consentGiven, ...rest } = patch;
    const next: Record<string, unknown> = { ...withInput(before, rest), updatedAt: at };
    if (consentGiven !== undefined && consentGiven !== before.consent.given)
      next.consent = { given: consentGiven, at, by: actor.userId };
    const parsed = parse(householdSchema, next);
    if (!parsed.ok) return parsed;
    const result = await putWithDiff(db, 'household', before, parsed.data, at);
    // Consent withdrawn: nobody's personal details stay in the lists, the
    // follow-ups or the reports. The people are tombstoned in this same
    // transaction (synced data is never hard-deleted; see the README).
    if (before.consent.given && !parsed.data.consent.given) {
      for (const person of await db.people.where('householdId').equals(id).toArray()) {
        if (person.deleted) continue;
        const p = stripLocal(person);
        await putWithDiff(db, 'person', p, { ...p, deleted: true, updatedAt: at }, at);
      }
    }
    return result;
  });
}

/** Tombstone: synced data is never hard-deleted. */
export function deleteHousehold(db: GoCuaDB, _actor: Actor, id: string): Promise<WriteResult<Household>> {
  return write(db, async () => {
    const row = await db.households.get(id);
    if (!row) return { ok: false, reason: 'not_found' };
    const before = stripLocal(row);
    return putWithDiff(db, 'household', before, { ...before, deleted: true, updatedAt: nowIso() }, nowIso());
  });
}

// ---------------------------------------------------------------- people

export interface PersonInput {
  fullName: string;
  birthYear?: number | undefined;
  sex?: Person['sex'];
  phone?: string | undefined;
  hasSmartphone?: boolean | undefined;
  flags: Person['flags'];
}

export function createPerson(
  db: GoCuaDB,
  actor: Actor,
  householdId: string,
  input: PersonInput,
): Promise<WriteResult<Person>> {
  return write(db, async () => {
    const household = await db.households.get(householdId);
    if (!household || household.deleted) return { ok: false, reason: 'not_found' };
    if (!household.consent.given) return { ok: false, reason: 'consent_required' };
    const at = nowIso();
    const parsed = parse(personSchema, {
      ...withInput({}, input),
      ...newRecordFields(actor, at),
      householdId,
      platforms: emptyPlatforms(),
    });
    if (!parsed.ok) return parsed;
    await db.people.add(toPersonRow(parsed.data));
    await refreshDue(db, [householdId]);
    await db.outbox.add(outboxCreate('person', parsed.data, at));
    return { ok: true, record: parsed.data, changed: true };
  });
}

type PersonPatch = Partial<PersonInput> & { platforms?: Person['platforms']; deleted?: boolean };

/**
 * Updates a person. The patch may be a function of the stored person, so a
 * read-modify-write (a checklist tap) happens inside the transaction: two fast
 * taps then apply one after the other instead of the second undoing the first.
 */
export function updatePerson(
  db: GoCuaDB,
  _actor: Actor,
  id: string,
  patchOrFn: PersonPatch | ((before: Person) => PersonPatch),
): Promise<WriteResult<Person>> {
  return write(db, async () => {
    const row = await db.people.get(id);
    if (!row || row.deleted) return { ok: false, reason: 'not_found' };
    const before = stripLocal(row);
    const patch = typeof patchOrFn === 'function' ? patchOrFn(before) : patchOrFn;
    const at = nowIso();
    const parsed = parse(personSchema, { ...withInput(before, patch), updatedAt: at });
    if (!parsed.ok) return parsed;
    return putWithDiff(db, 'person', before, parsed.data, at);
  });
}

/**
 * One change to one platform of a person's checklists, made on a copy of the
 * stored checklists inside the write, so overlapping taps each see the last.
 */
function updatePlatform(
  db: GoCuaDB,
  actor: Actor,
  personId: string,
  platform: Platform,
  change: (checklist: Person['platforms'][Platform]) => void,
): Promise<WriteResult<Person>> {
  return updatePerson(db, actor, personId, (before) => {
    const platforms = structuredClone(before.platforms);
    change(platforms[platform]);
    return { platforms };
  });
}

/** One tap on a checklist step. */
export function setPersonStep(db: GoCuaDB, actor: Actor, personId: string, platform: Platform, step: string, value: Step): Promise<WriteResult<Person>> {
  return updatePlatform(db, actor, personId, platform, (checklist) => {
    (checklist.steps as Record<string, Step>)[step] = value;
  });
}

/** The "did it alone" mark: the goal of the campaign is skills people keep. */
export function setIndependent(db: GoCuaDB, actor: Actor, personId: string, platform: Platform, independent: boolean): Promise<WriteResult<Person>> {
  return updatePlatform(db, actor, personId, platform, (checklist) => {
    checklist.independent = independent;
  });
}

// ---------------------------------------------------------------- visits

export type VisitInput = Omit<Visit, 'id' | 'createdAt' | 'updatedAt' | 'deleted' | 'wardCode' | 'volunteerId' | 'at'> & {
  at?: string;
};

/** Applies the step changes a visit recorded to a person's current checklists. */
function applyVisitSteps(person: Person, entry: VisitPerson): Person['platforms'] {
  const platforms = structuredClone(person.platforms);
  for (const s of entry.steps) {
    const step: Step = { status: s.status };
    if (s.blocker) step.blocker = s.blocker;
    if (s.blockerText) step.blockerText = s.blockerText;
    (platforms[s.platform].steps as Record<string, Step>)[s.step] = step;
  }
  for (const p of entry.independent ?? []) platforms[p].independent = true;
  return platforms;
}

/**
 * Saves a visit (append-only) and, in the same transaction, brings each visited
 * person's checklists up to date with what the visit recorded.
 *
 * The common save (no checklist changes, no escalation) is one round of
 * IndexedDB requests over three tables: the household and its visits read,
 * the visit and the outbox entry written, all placed at once; a second write
 * follows only when the follow-up index must change beyond the new row (a
 * previous follow-up cleared, or a backdated visit that is not the latest;
 * dueAfterNewVisit). A visit that changes
 * people's checklists or escalates takes the general path (refreshDue).
 */
export function recordVisit(db: GoCuaDB, actor: Actor, input: VisitInput): Promise<WriteResult<Visit>> {
  const at = nowIso();
  const parsed = parse(visitSchema, {
    ...withInput({}, input),
    ...newRecordFields(actor, at),
    volunteerId: actor.userId,
    at: input.at ?? at,
  });
  if (!parsed.ok) return Promise.resolve(parsed);
  const noDetail = escalationNeedsDetail(parsed.data);
  if (noDetail) return Promise.resolve({ ok: false, reason: 'invalid', errors: noDetail });
  const visit = parsed.data;
  const progress = visit.people.filter((e) => e.personId && (e.steps.length > 0 || !!e.independent?.length));
  const hid = visit.householdId;
  if (progress.length === 0 && visit.escalate === undefined) {
    // The common save: no person changes, no case to look up (see dueAfterNewVisit).
    const scope = [db.households, db.visits, db.outbox];
    return write(
      db,
      async (): Promise<WriteResult<Visit>> => {
        // One round of requests. The reads are placed before the writes, so they see the
        // household's visits without the new one; the row is written as if the new visit
        // were its household's latest (a save made now almost always is) and corrected in
        // this same transaction when the reads say otherwise. A missing household aborts
        // the transaction: nothing stays written.
        const guess = hid ? dueAfterNewVisit(visit, [])[0]! : toVisitRow(visit);
        const reads = hid ? Promise.all([db.households.get(hid), db.visits.where('householdId').equals(hid).toArray()]) : undefined;
        const writes = Promise.all([db.visits.add(guess), db.outbox.add(outboxCreate('visit', visit, at))]);
        writes.catch(() => undefined); // awaited below; an abort on the way must not go unhandled
        if (reads) {
          const [household, siblings] = await reads;
          if (!household || household.deleted) throw new Abort({ ok: false, reason: 'not_found' });
          const [row, ...cleared] = dueAfterNewVisit(visit, siblings);
          const fix = row!._due === guess._due ? cleared : [row!, ...cleared];
          if (fix.length) await db.visits.bulkPut(fix);
        }
        // A walk-in's row carries its own `_due` (toVisitRow): it has no household and, being new, no case.
        await writes;
        return { ok: true, record: visit, changed: true };
      },
      scope,
    );
  }
  return write(db, async (): Promise<WriteResult<Visit>> => {
    if (hid) {
      const household = await db.households.get(hid);
      if (!household || household.deleted) return { ok: false, reason: 'not_found' };
    }
    await db.visits.add(toVisitRow(visit));
    await refreshDue(db, hid ? [hid] : [], hid ? [] : [visit.id]);
    await db.outbox.add(outboxCreate('visit', visit, at));
    for (const entry of progress) {
      const row = await db.people.get(entry.personId!);
      if (!row || row.deleted) continue;
      // A visit records progress only for the people of the household visited.
      if (row.householdId !== hid)
        throw new Abort({
          ok: false,
          reason: 'invalid',
          errors: { [`people.${visit.people.indexOf(entry)}.personId`]: 'validation.personNotInHousehold' },
        });
      const before = stripLocal(row);
      const updated = personSchema.parse({ ...before, platforms: applyVisitSteps(before, entry), updatedAt: at });
      await putWithDiff(db, 'person', before, updated, at);
    }
    return { ok: true, record: visit, changed: true };
  });
}

// ---------------------------------------------------------------- cases

/** What the response team changes on a case: the rest is the server's (see server/cases.ts). */
export interface CasePatch {
  status?: Case['status'];
  /** null takes the assignee off. */
  assigneeId?: string | null;
  resolution?: string | undefined;
}

/**
 * A responder's or supervisor's change to a case, queued like any edit (the
 * server merges it per field; a volunteer's would be refused, so the queue
 * offers it only to those roles). resolvedAt follows the status, as the
 * server keeps it: set now when resolved, removed when reopened.
 */
export function updateCase(db: GoCuaDB, _actor: Actor, id: string, patch: CasePatch): Promise<WriteResult<Case>> {
  return write(db, async () => {
    const row = await db.cases.get(id);
    if (!row || row.deleted) return { ok: false, reason: 'not_found' };
    const before = stripLocal(row);
    const at = nowIso();
    const { assigneeId, ...rest } = patch;
    const next: Record<string, unknown> = { ...withInput(before, rest), updatedAt: at };
    if (assigneeId === null) delete next.assigneeId;
    else if (assigneeId !== undefined) next.assigneeId = assigneeId;
    if (next.status === 'resolved') next.resolvedAt ??= at;
    else delete next.resolvedAt;
    const parsed = parse(caseSchema, next);
    if (!parsed.ok) return parsed;
    return putWithDiff(db, 'case', before, parsed.data, at);
  });
}

// ---------------------------------------------------------------- shared

/** Stores the new version and queues only the fields that changed. Call inside a transaction. */
async function putWithDiff<E extends 'household' | 'person' | 'case'>(
  db: GoCuaDB,
  entity: E,
  before: EntityRecord[E],
  after: EntityRecord[E],
  at: string,
): Promise<WriteResult<EntityRecord[E]>> {
  const { fields, base } = diffFields(before, after);
  if (Object.keys(fields).length === 0) return { ok: true, record: before, changed: false };
  await putRecord(db, entity, after);
  const op = after.deleted && !before.deleted ? 'delete' : 'upsert';
  await db.outbox.add({ entity, id: after.id, op, fields, base, at });
  return { ok: true, record: after, changed: true };
}

