// POST /api/v1/sync/push: the exactly-once write path.
//
// One push is one write transaction:
//   1. Lock this clientId's row (created on first use; owned by that user).
//      On PostgreSQL: INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR
//      UPDATE, so ten identical pushes arriving at once queue up here and each
//      sees the lastAppliedSeq the previous one committed. On SQLite BEGIN
//      IMMEDIATE already serialises writers.
//   2. seq <= lastAppliedSeq -> "duplicate", nothing changes. The first new
//      seq must be lastAppliedSeq + 1 and the rest contiguous, otherwise the
//      whole push is answered 409 seq_gap BEFORE anything is applied.
//   3. Versions from the ward's counter row (ward_counters). Every change gets
//      the next version. Because the counter's lock is held from the moment
//      final versions are taken until commit, versions within a ward are
//      assigned and become visible in order, so a pull that has seen version v
//      has seen every version below v (the pull cursor's guarantee, see
//      pull.ts).
//      - SQLite: BEGIN IMMEDIATE already serialises writers; the counter is
//        read first and versions are final from the start.
//      - PostgreSQL: the counter is taken as LATE as possible. Records are
//        read, checked, merged and written with provisional (negative,
//        per-transaction) versions (records.provisionalBase), each read record
//        locked FOR UPDATE so two pushes that touch the same record take turns
//        on it (and on its household's row, for the aggregates). Only then is
//        the counter taken and moved (UPDATE ... RETURNING, which locks it),
//        the provisional versions renumbered to their final numbers in one
//        statement, and the aggregates' deltas (computed before) applied. So a ward's pushes work side by side and queue only for that
//        short tail, where before they queued for the whole push. Lock order is
//        client row, record rows, ward row; record rows can deadlock between
//        two pushes (PostgreSQL aborts one), and a create can race another
//        device's create of the same id (unique violation): the whole
//        transaction is then run again (retryingConflicts), which is safe
//        because it rolled back and has no effect outside the database.
//   4. Apply or reject each mutation in seq order. A rejection is stored in
//      rejected_mutations and the counter moves past it: it never blocks the
//      queue and is never lost.
//   5. Store lastAppliedSeq and the ward counter in the same transaction, with
//      the ward's aggregates (reports/aggregates.ts): every record write
//      reports to them, and their deltas are applied before commit.
// This file is the policy of create, update and delete. What a mutation may
// contain is checked in mutation-checks.ts, who may change a stored record in
// scope.ts; the per-field merge is merge.ts; what a delete or a withdrawn
// consent erases is erasure.ts; a household's move and the exits it leaves
// behind are scope-exits.ts; the SQL of records is records.ts.
//
// Server-owned values: a visit's volunteerId and a household's consent.by are
// the signed-in user's id, whatever the client sent; a case is created by the
// server from an escalated visit, and its resolvedAt follows its status
// (cases.ts). A record of another ward is answered exactly as an unknown id
// (nothing tells that it exists).
import { applyFields, sameValue, type Fields } from '../shared/fields';
import type { Mutation, MutationResult, PushRequest, PushResponse } from '../shared/protocol';
import { entitySchemas, type Entity } from '../shared/schemas';
import type { ServerContext } from './context';
import type { Dialect } from './db';
import { ApiError, forbidden, Rejection } from './errors';
import { mergeFields } from './merge';
import { checkConflictValues, checkMutationKeys, checkStrayKeys, inSeqOrder, parseRecord, validated, validateRecord } from './mutation-checks';
import * as records from './records';
import { checkMayChange, checkMayWrite, inScope, mayWriteEntity } from './scope';
import { isWardGroup } from './wards';
import { checkAssignee, checkCaseMutation, createCaseForVisit, withCaseServerOwned } from './cases';
import { CONSENTED_HOUSEHOLD_FIELDS, deleteRecord, eraseHousehold } from './erasure';
import { moveHousehold } from './scope-exits';
import { noteDevice } from './devices';
import { AggregateChanges } from './reports/aggregates';
import type { AuthUser } from './users';

export async function push(ctx: ServerContext, user: AuthUser, request: PushRequest): Promise<PushResponse> {
  const mutations = inSeqOrder(request.mutations);
  if (request.userId !== undefined && request.userId !== user.id) {
    // Checked before the clientId is looked at, so it can never be bound to the wrong user.
    throw new ApiError(403, 'wrong_user', 'This queue belongs to another user; sign in as that user to send it');
  }
  const { db } = ctx;
  return retryingConflicts(db.dialect, () => db.writeTx(async (trx) => {
    const now = ctx.now().toISOString();
    const client = await records.lockClient(trx, db.dialect, request.clientId, user.id, now); // step 1
    if (client.user_id !== user.id) throw forbidden('This clientId belongs to another user');
    // A revoked device is refused here, under the client lock revokeDevice() also takes (devices.ts).
    await noteDevice(trx, request.clientId, user, 'push', request.device, now);
    const last = Number(client.last_applied_seq);

    const fresh = mutations.filter((m) => m.seq > last); // step 2
    fresh.forEach((m, i) => {
      if (m.seq !== last + 1 + i) {
        throw new ApiError(409, 'seq_gap', `Expected seq ${last + 1 + i}, got ${m.seq}`, { lastAppliedSeq: last });
      }
    });

    const results = new Map<number, MutationResult>();
    for (const m of mutations) if (m.seq <= last) results.set(m.seq, { seq: m.seq, status: 'duplicate' });
    let lastApplied = last;

    if (fresh.length > 0) {
      // step 3: on PostgreSQL versions are provisional until the counter is taken below.
      const late = db.dialect === 'postgres';
      const base = late ? await records.provisionalBase(trx, user.wardCode) : await records.lockWardCounter(trx, db.dialect, user.wardCode);
      let version = base;
      const aggregates = new AggregateChanges(trx, db.dialect, user.wardCode);
      const tx: records.PushTx = { trx, dialect: db.dialect, user, clientId: request.clientId, now, nextVersion: () => ++version, aggregates, inserts: [] };
      await records.preloadRecords(tx, [...fresh, ...referencedRecords(fresh)]);
      for (const m of fresh) results.set(m.seq, await applyOne(tx, m)); // step 4
      await records.flushInserts(tx); // the household creates, one multi-row INSERT (records.ts)
      if ([...results.values()].some((r) => r.status === 'rejected')) await records.capRejections(tx);
      lastApplied = fresh[fresh.length - 1]!.seq;
      await records.saveLastApplied(trx, request.clientId, lastApplied, now); // step 5 (the client row is ours until commit)
      // The ward's figures commit with its records (reports/aggregates.ts):
      // computed now, applied below. On PostgreSQL the deltas are applied
      // holding the counter, which rebuildAggregates() holds while it recounts;
      // computing them needs no counter (this push holds the households' rows).
      await aggregates.prepare();
      await ctx.hooks.beforeWardCounter?.();
      // PostgreSQL: the tail that pushes of a ward queue for: one statement
      // (the counter, the renumbering and the aggregates' deltas) and COMMIT.
      if (late && version !== base) await records.takeVersions(trx, user.wardCode, base, version - base, await aggregates.takeDeltas());
      await aggregates.flush(); // on PostgreSQL after takeDeltas: nothing left, no statement
      await ctx.hooks.afterPushWrites?.();
      if (!late && version !== base) await records.saveWardCounter(trx, user.wardCode, version);
    }
    return { lastAppliedSeq: lastApplied, results: mutations.map((m) => results.get(m.seq)!) };
  }));
}

// Only well-formed ids are read ahead: fields are not validated yet, and a
// string PostgreSQL cannot store (a NUL) must reach the checks, not the query.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/** References read ahead with a push's records at most; a push naming more reads the rest one by one. */
const MAX_PRELOADED_REFERENCES = 1000;

/**
 * The records a push's upserts refer to, as far as their (not yet validated)
 * fields name them: a person's or visit's household, a visit's people. Read
 * with the push's own records (records.preloadRecords), so that fifty visits
 * of one household are not fifty reads of it; what is not a uuid is left to
 * the checks, which answer it as before.
 */
function referencedRecords(mutations: readonly Mutation[]): { entity: Entity; id: string }[] {
  const out: { entity: Entity; id: string }[] = [];
  for (const m of mutations) {
    if (m.op !== 'upsert' || out.length >= MAX_PRELOADED_REFERENCES) continue;
    if (isUuid(m.fields.householdId)) out.push({ entity: 'household', id: m.fields.householdId });
    if (m.entity !== 'visit' || !Array.isArray(m.fields.people)) continue;
    for (const p of m.fields.people as unknown[]) {
      const personId = isObject(p) ? p.personId : undefined;
      if (isUuid(personId) && out.length < MAX_PRELOADED_REFERENCES) out.push({ entity: 'person', id: personId });
    }
  }
  return out;
}

/** PostgreSQL errors after which a push is simply run again: deadlock, serialization failure, unique violation. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const MAX_ATTEMPTS = 5;

/**
 * Runs a push transaction again when PostgreSQL aborted it for a conflict with
 * another push running at the same time (see step 3). The transaction rolled
 * back, so running it again is exactly-once: it reads lastAppliedSeq afresh.
 */
async function retryingConflicts<T>(dialect: Dialect, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (dialect !== 'postgres' || attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
    }
  }
}

async function applyOne(tx: records.PushTx, m: Mutation): Promise<MutationResult> {
  try {
    const conflicts = await applyMutation(tx, m);
    return conflicts.length > 0 ? { seq: m.seq, status: 'applied', conflicts } : { seq: m.seq, status: 'applied' };
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    // A refusal because the household gave no consent, or the record was
    // erased, keeps no fields: they are exactly the data that must not stay.
    const kept = KEEPS_NO_FIELDS.has(error.code) ? { seq: m.seq, entity: m.entity, id: m.id, op: m.op, at: m.at, fields: {} } : m;
    await records.storeRejection(tx, kept, error);
    const { code, message, path } = error;
    return { seq: m.seq, status: 'rejected', error: path === undefined ? { code, message } : { code, message, path } };
  }
}

const KEEPS_NO_FIELDS: ReadonlySet<string> = new Set(['consent_required', 'deleted']);

type Rec = Record<string, unknown>;

const isObject = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const consentGiven = (record: Rec) => isObject(record.consent) && record.consent.given === true;

/** Sets what the server owns in a record about to be validated: volunteerId, consent.by. */
function withServerOwned(entity: Entity, record: Rec, user: AuthUser, consentTaken: boolean): Rec {
  if (entity === 'visit') return { ...record, volunteerId: user.id };
  if (entity === 'household' && consentTaken && isObject(record.consent)) return { ...record, consent: { ...record.consent, by: user.id } };
  return record;
}

/**
 * The record a create makes, before validation: fields are the whole record
 * (allFields() on the device, which leaves out id, createdAt and updatedAt);
 * the mutation's time stamps it.
 */
function createdRecord(m: Mutation, user: AuthUser): Rec {
  const draft: Rec = applyFields({ deleted: false } as Rec, m.fields as Fields);
  return withServerOwned(m.entity, { ...draft, id: m.id, createdAt: m.at, updatedAt: m.at }, user, true);
}

/** Applies one mutation; returns the conflicting field keys, or throws a Rejection. */
async function applyMutation(tx: records.PushTx, m: Mutation): Promise<string[]> {
  const { user } = tx;
  // A responder's device holds no households, people or visits (scope.ts).
  if (!mayWriteEntity(user, m.entity)) throw new Rejection('forbidden', `Your role does not record ${m.entity}s`);
  checkMutationKeys(m);
  // A create (the push's read found no record with this id) is parsed whole
  // once, here: when the strict schema accepts it, its fields hold no stray
  // key (check 1b needs no parse of its own) and the create below takes the
  // parsed record (check 2). Otherwise both checks run as for an update, in
  // the same order, so the answer is the same.
  const created = m.op === 'upsert' && records.knownAbsent(tx, m.entity, m.id) ? parseRecord(m.entity, createdRecord(m, user)) : undefined;
  checkStrayKeys(m, created?.success === true);
  checkMayWrite(user, m.entity);

  const stored = await records.loadRecord(tx, m.entity, m.id);
  // Another ward's record is treated as unknown: same checks, same answers.
  const existing = stored && stored.ward_code === user.wardCode ? stored : undefined;
  if (m.entity === 'case') checkCaseMutation(user, m, existing !== undefined);
  if (existing) checkMayChange(user, existing);

  if (m.op === 'delete') {
    if (m.entity === 'visit') throw new Rejection('immutable', 'Visits cannot be deleted');
    if (!existing) throw new Rejection('not_found', `The server has no ${m.entity} ${m.id}`);
    if (existing.deleted) return [];
    await deleteRecord(tx, m.entity, existing, m.at);
    return [];
  }
  if (existing?.deleted) throw new Rejection('deleted', `This ${m.entity} was deleted on the server and cannot be changed`);

  if (!existing) {
    const record = validated(m.entity, created ?? parseRecord(m.entity, createdRecord(m, user)));
    if (record.wardCode !== user.wardCode) throw new Rejection('wrong_ward', `You can only write to ward ${user.wardCode}`, 'wardCode');
    const group = await resolveGroup(tx, m.entity, record);
    // Only a create that reuses the id of another ward's record ends here
    // rather than applied: ids are random UUIDs, so that takes knowing the id.
    if (stored) throw new Rejection('invalid_record', 'This id cannot be used; create the record again', 'id');
    await records.writeRecord(tx, m.entity, record, group);
    if (m.entity === 'visit') await createCaseForVisit(tx, record, group);
    return [];
  }

  const server = JSON.parse(existing.data) as Rec;
  if (m.entity === 'visit') {
    // Append-only: re-sending the same visit is fine, changing it is not.
    const resent = entitySchemas.visit.safeParse(applyFields(server, m.fields as Fields));
    if (resent.success && sameValue({ ...resent.data, updatedAt: null }, { ...server, updatedAt: null })) {
      // A visit escalated before cases existed gets its case when it is resent.
      await createCaseForVisit(tx, server, existing.group_code);
      return [];
    }
    throw new Rejection('immutable', 'Visits are append-only and cannot be changed');
  }

  const { merged, taken, conflicts: found } = mergeFields(server, m.fields as Fields, m.base as Fields | undefined);
  // Without consent a household keeps no name, phone or notes: a value that
  // lost to that must not be kept in a conflict row either.
  const withdrawn = m.entity === 'household' && consentGiven(server) && !consentGiven(merged);
  const noConsent = m.entity === 'household' && !consentGiven(merged);
  const conflicts = noConsent ? found.filter((c) => !(CONSENTED_HOUSEHOLD_FIELDS as readonly string[]).includes(c.field)) : found;
  if (taken.length === 0 && found.length === 0) return []; // the server already has these values
  checkConflictValues(m.entity, conflicts);
  if (withdrawn) for (const key of CONSENTED_HOUSEHOLD_FIELDS) delete merged[key];
  let record = server;
  if (taken.length > 0) {
    const owned = m.entity === 'case' ? withCaseServerOwned(merged, m.at) : merged;
    record = validateRecord(m.entity, withServerOwned(m.entity, { ...owned, updatedAt: m.at }, user, taken.includes('consent')));
    if (taken.includes('assigneeId')) await checkAssignee(tx, record.assigneeId);
    if (record.wardCode !== user.wardCode) throw new Rejection('wrong_ward', 'Records cannot move to another ward', 'wardCode');
  }
  // A person is checked against its household on every change (scope, consent).
  const regrouped = taken.includes('group') || taken.includes('householdId');
  const group = regrouped || m.entity === 'person' ? await resolveGroup(tx, m.entity, record) : existing.group_code;
  // Written (and its version bumped) even when only conflicts were found: the
  // device that lost must pull the server's value to converge.
  const version = await records.writeRecord(tx, m.entity, record, group, existing);
  await records.storeConflicts(tx, m, conflicts);
  if (m.entity === 'household' && group !== null && group !== existing.group_code) {
    await moveHousehold(tx, m.id, existing.group_code, group, version);
  }
  if (withdrawn) await eraseHousehold(tx, m.id, 'consent_withdrawn', m.at);
  return found.map((c) => c.field);
}

// Group lookups of one push: a push of 500 households in one group asks once.
const knownGroups = new WeakMap<records.PushTx, Map<string, boolean>>();

/** Throws unknown_group when `group` is not a group of the user's ward (wards.ts; GET /api/v1/wards/:code). */
async function checkWardGroup(tx: records.PushTx, group: string): Promise<void> {
  let cache = knownGroups.get(tx);
  if (!cache) knownGroups.set(tx, (cache = new Map()));
  let known = cache.get(group);
  if (known === undefined) cache.set(group, (known = await isWardGroup(tx.trx, tx.user.wardCode, group, tx.dialect === 'postgres')));
  if (!known) throw new Rejection('unknown_group', `"${group}" is not a residential group of ward ${tx.user.wardCode}`, 'group');
}

/**
 * Checks a record's references (household, people) and the user's right to
 * write there, and returns the group it belongs to: a household's own group;
 * a person's or visit's household's group at write time; null for a walk-in
 * visit at a literacy point. In order: forbidden (a household in a group not
 * the user's), unknown_group (a group its ward does not have), unknown_household (none in this ward),
 * deleted, forbidden (outside the user's scope), consent_required (a person,
 * or a visit naming a person or a walk-in's details, under a household without
 * consent), unknown_person.
 */
async function resolveGroup(tx: records.PushTx, entity: Entity, record: Rec): Promise<string | null> {
  const { user } = tx;
  if (entity === 'household') {
    const group = record.group as string;
    if (!inScope(user, { group_code: group, created_by: user.id })) throw new Rejection('forbidden', 'This group is not one of yours', 'group');
    await checkWardGroup(tx, group);
    return group;
  }
  if (typeof record.group === 'string') await checkWardGroup(tx, record.group);
  let group: string | null = null;
  let consent = false;
  const householdId = record.householdId as string | undefined;
  if (householdId !== undefined) {
    const household = await records.loadRecord(tx, 'household', householdId);
    if (!household || household.ward_code !== user.wardCode) {
      throw new Rejection('unknown_household', `The server has no household ${householdId}`, 'householdId');
    }
    if (household.deleted) throw new Rejection('deleted', 'This household was deleted on the server', 'householdId');
    if (!inScope(user, household)) throw new Rejection('forbidden', 'This household is outside your assigned groups', 'householdId');
    group = household.group_code;
    consent = consentGiven(JSON.parse(household.data) as Rec);
  }
  if (entity === 'person' && !consent) throw new Rejection('consent_required', 'This household has not given consent to record its people', 'householdId');
  if (entity === 'visit') {
    const people = (record.people as { personId?: string; walkInName?: string; walkInBirthYear?: number; walkInFlags?: object }[] | undefined) ?? [];
    for (const [i, p] of people.entries()) {
      const personal = p.personId !== undefined || p.walkInName !== undefined || p.walkInBirthYear !== undefined || p.walkInFlags !== undefined;
      if (householdId !== undefined && !consent && personal) {
        throw new Rejection('consent_required', 'This household has not given consent to record its people', `people.${i}`);
      }
      if (p.personId === undefined) continue;
      const person = await records.loadRecord(tx, 'person', p.personId);
      if (!person || person.ward_code !== user.wardCode) {
        throw new Rejection('unknown_person', `The server has no person ${p.personId}`, `people.${i}.personId`);
      }
    }
  }
  return group;
}
