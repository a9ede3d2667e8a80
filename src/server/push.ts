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
//   3. Lock the ward's counter row (ward_counters). Every change gets the next
//      version from it. Because the lock is held until commit, versions within a
//      ward are assigned and become visible in order, so a pull that has seen
//      version v has seen every version below v (the pull cursor's guarantee,
//      see pull.ts). Lock order is always client row, then ward row: no deadlock.
//   4. Apply or reject each mutation in seq order. A rejection is stored in
//      rejected_mutations and the counter moves past it: it never blocks the
//      queue and is never lost.
//   5. Store lastAppliedSeq and the ward counter in the same transaction.
import type { Kysely } from 'kysely';
import { applyFields, sameValue, type Fields } from '../shared/fields';
import { uuidv7 } from '../shared/ids';
import type { Mutation, MutationResult, PushRequest, PushResponse, RejectCode } from '../shared/protocol';
import { entitySchemas, type Entity } from '../shared/schemas';
import type { ServerContext } from './context';
import type { DB, Db, RecordsTable } from './db';
import { ApiError, forbidden } from './errors';
import { findNul } from './input-guard';
import { invalidConflictKey, mergeFields, strayKeyPaths, unknownFieldKey, withoutStrayKeys } from './merge';
import type { AuthUser } from './users';

/** NUL cannot be stored in PostgreSQL text; huge keys must not be stored twice over. */
const storable = (text: string, max: number) => {
  const clean = text.replaceAll('\u0000', '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};

class Rejection {
  readonly message: string;
  readonly path?: string;
  // message and path are stored in rejected_mutations and may quote a key the
  // client sent (an unknown field name), so they are made storable here.
  constructor(
    readonly code: RejectCode,
    message: string,
    path?: string,
  ) {
    this.message = storable(message, 300);
    if (path !== undefined) this.path = storable(path, 200);
  }
}

interface PushTx {
  trx: Kysely<DB>;
  user: AuthUser;
  clientId: string;
  now: string;
  nextVersion: () => number;
}

export async function push(ctx: ServerContext, user: AuthUser, request: PushRequest): Promise<PushResponse> {
  const mutations = [...request.mutations].sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < mutations.length; i++) {
    if (mutations[i]!.seq === mutations[i - 1]!.seq) {
      throw new ApiError(400, 'invalid_request', 'Two mutations in one push share a seq', {
        issues: [{ path: 'mutations', message: `seq ${mutations[i]!.seq} appears twice` }],
      });
    }
  }
  if (request.userId !== undefined && request.userId !== user.id) {
    // Checked before the clientId is looked at, so it can never be bound to the wrong user.
    throw new ApiError(403, 'wrong_user', 'This queue belongs to another user; sign in as that user to send it');
  }
  const { db } = ctx;
  return db.writeTx(async (trx) => {
    const now = ctx.now().toISOString();
    const client = await lockClient(db, trx, request.clientId, user.id, now);
    if (client.user_id !== user.id) throw forbidden('This clientId belongs to another user');
    const last = Number(client.last_applied_seq);

    const fresh = mutations.filter((m) => m.seq > last);
    fresh.forEach((m, i) => {
      if (m.seq !== last + 1 + i) {
        throw new ApiError(409, 'seq_gap', `Expected seq ${last + 1 + i}, got ${m.seq}`, { lastAppliedSeq: last });
      }
    });

    const results = new Map<number, MutationResult>();
    for (const m of mutations) if (m.seq <= last) results.set(m.seq, { seq: m.seq, status: 'duplicate' });
    let lastApplied = last;

    if (fresh.length > 0) {
      const start = await lockWardCounter(db, trx, user.wardCode);
      let version = start;
      const tx: PushTx = { trx, user, clientId: request.clientId, now, nextVersion: () => ++version };
      for (const m of fresh) results.set(m.seq, await applyOne(tx, m));
      await ctx.hooks.afterPushWrites?.();
      if (version !== start) {
        await trx.updateTable('ward_counters').set({ seq: version }).where('ward_code', '=', user.wardCode).execute();
      }
      lastApplied = fresh[fresh.length - 1]!.seq;
      await trx
        .updateTable('clients')
        .set({ last_applied_seq: lastApplied, last_push_at: now })
        .where('client_id', '=', request.clientId)
        .execute();
    }
    return { lastAppliedSeq: lastApplied, results: mutations.map((m) => results.get(m.seq)!) };
  });
}

async function lockClient(db: Db, trx: Kysely<DB>, clientId: string, userId: string, now: string) {
  await trx
    .insertInto('clients')
    .values({ client_id: clientId, user_id: userId, last_applied_seq: 0, created_at: now, last_push_at: null })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
  let q = trx.selectFrom('clients').selectAll().where('client_id', '=', clientId);
  if (db.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirstOrThrow();
}

async function lockWardCounter(db: Db, trx: Kysely<DB>, wardCode: string): Promise<number> {
  await trx
    .insertInto('ward_counters')
    .values({ ward_code: wardCode, seq: 0 })
    .onConflict((oc) => oc.column('ward_code').doNothing())
    .execute();
  let q = trx.selectFrom('ward_counters').select('seq').where('ward_code', '=', wardCode);
  if (db.dialect === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.seq);
}

async function applyOne(tx: PushTx, m: Mutation): Promise<MutationResult> {
  try {
    const conflicts = await applyMutation(tx, m);
    return conflicts.length > 0 ? { seq: m.seq, status: 'applied', conflicts } : { seq: m.seq, status: 'applied' };
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    await tx.trx
      .insertInto('rejected_mutations')
      .values({
        id: uuidv7(),
        ward_code: tx.user.wardCode,
        client_id: tx.clientId,
        user_id: tx.user.id,
        seq: m.seq,
        entity: m.entity,
        record_id: m.id,
        op: m.op,
        // Keep what the user can fix and resend, but never keys the strict
        // schemas refuse: a smuggled nationalId must not end up stored here.
        fields: JSON.stringify(withoutStrayKeys(m.entity, m.fields)),
        base: m.base === undefined ? null : JSON.stringify(withoutStrayKeys(m.entity, m.base)),
        mutation_at: m.at,
        code: error.code,
        message: error.message,
        path: error.path ?? null,
        at: tx.now,
      })
      .execute();
    const rejected: MutationResult = { seq: m.seq, status: 'rejected', error: { code: error.code, message: error.message } };
    if (error.path !== undefined) rejected.error!.path = error.path;
    return rejected;
  }
}

type Rec = Record<string, unknown>;

/** Validates with the shared schema; returns the parsed (normalised) record or throws invalid_record. */
function validate(entity: Entity, record: Rec): Rec {
  const r = entitySchemas[entity].safeParse(record);
  if (r.success) return r.data as Rec;
  const issue = r.error.issues[0];
  const path = issue ? issue.path.map(String).join('.') : '';
  throw new Rejection('invalid_record', `Invalid ${entity}: ${issue?.message ?? 'invalid'}${path ? ` at ${path}` : ''}`, path);
}

function inScope(user: AuthUser, row: Pick<RecordsTable, 'created_by' | 'group_code'>): boolean {
  return (
    user.role === 'supervisor' ||
    row.created_by === user.id ||
    (row.group_code !== null && user.groups.includes(row.group_code))
  );
}

async function load(tx: PushTx, entity: Entity, id: string) {
  return tx.trx.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
}

/**
 * Checks a record's references (household, people) and returns the group it
 * belongs to: a household's own group; a person's or visit's household's group
 * at write time; null for a walk-in visit at a literacy point.
 */
async function resolveGroup(tx: PushTx, entity: Entity, record: Rec): Promise<string | null> {
  if (entity === 'household') return record.group as string;
  let group: string | null = null;
  const householdId = record.householdId as string | undefined;
  if (householdId !== undefined) {
    const household = await load(tx, 'household', householdId);
    if (!household || household.ward_code !== tx.user.wardCode) {
      throw new Rejection('unknown_household', `The server has no household ${householdId}`, 'householdId');
    }
    group = household.group_code;
  }
  if (entity === 'visit') {
    const people = (record.people as { personId?: string }[] | undefined) ?? [];
    for (const [i, p] of people.entries()) {
      if (p.personId === undefined) continue;
      const person = await load(tx, 'person', p.personId);
      if (!person || person.ward_code !== tx.user.wardCode) {
        throw new Rejection('unknown_person', `The server has no person ${p.personId}`, `people.${i}.personId`);
      }
    }
  }
  return group;
}

async function write(tx: PushTx, entity: Entity, record: Rec, group: string | null, existing?: RecordsTable) {
  const row = {
    ward_code: record.wardCode as string,
    group_code: group,
    data: JSON.stringify(record),
    deleted: record.deleted ? 1 : 0,
    version: tx.nextVersion(),
    server_updated_at: tx.now,
  };
  if (existing) {
    await tx.trx.updateTable('records').set(row).where('entity', '=', entity).where('id', '=', record.id as string).execute();
  } else {
    await tx.trx
      .insertInto('records')
      .values({ entity, id: record.id as string, created_by: tx.user.id, ...row })
      .execute();
  }
}

/** Applies one mutation; returns the conflicting field keys, or throws a Rejection. */
async function applyMutation(tx: PushTx, m: Mutation): Promise<string[]> {
  const { user } = tx;
  const badKey = unknownFieldKey(m.entity, m.fields);
  if (badKey !== undefined) throw new Rejection('invalid_record', `Unknown field "${badKey}" for ${m.entity}`, badKey);
  // parseOr400 refused NUL everywhere else in the push; here it is one bad mutation.
  for (const [name, value] of [['fields', m.fields], ['base', m.base]] as const) {
    const nul = findNul(value);
    if (nul) {
      const path = (name === 'base' ? ['base', ...nul] : nul).join('.');
      throw new Rejection('invalid_record', 'Text must not contain the NUL character (U+0000)', path);
    }
  }
  // Unknown keys nested in a field, or anywhere in base: see strayKeyPaths.
  for (const [name, value] of [['fields', m.fields], ['base', m.base ?? {}]] as const) {
    const stray = strayKeyPaths(m.entity, value)[0];
    if (stray) {
      const path = (name === 'base' ? ['base', ...stray] : stray).join('.');
      throw new Rejection('invalid_record', `Unknown field "${path}" for ${m.entity}`, path);
    }
  }

  const existing = await load(tx, m.entity, m.id);
  if (existing) {
    if (existing.ward_code !== user.wardCode) throw new Rejection('wrong_ward', 'This record belongs to another ward');
    if (!inScope(user, existing)) throw new Rejection('forbidden', 'This record is outside your assigned groups');
  }

  if (m.op === 'delete') {
    if (m.entity === 'visit') throw new Rejection('immutable', 'Visits cannot be deleted');
    if (!existing) throw new Rejection('not_found', `The server has no ${m.entity} ${m.id}`);
    if (existing.deleted) return [];
    const record = { ...(JSON.parse(existing.data) as Rec), deleted: true, updatedAt: m.at };
    await write(tx, m.entity, record, existing.group_code, existing);
    return [];
  }

  if (!existing) {
    // A create: fields are the whole record (allFields() on the device, which
    // leaves out id, createdAt and updatedAt); the mutation's time stamps it.
    const draft: Rec = applyFields({ deleted: false } as Rec, m.fields as Fields);
    const record = validate(m.entity, { ...draft, id: m.id, createdAt: m.at, updatedAt: m.at });
    if (record.wardCode !== user.wardCode) throw new Rejection('wrong_ward', `You can only write to ward ${user.wardCode}`, 'wardCode');
    const group = await resolveGroup(tx, m.entity, record);
    await write(tx, m.entity, record, group);
    return [];
  }

  const server = JSON.parse(existing.data) as Rec;
  if (m.entity === 'visit') {
    // Append-only: re-sending the same visit is fine, changing it is not.
    const resent = entitySchemas.visit.safeParse(applyFields(server, m.fields as Fields));
    if (resent.success && sameValue({ ...resent.data, updatedAt: null }, { ...server, updatedAt: null })) return [];
    throw new Rejection('immutable', 'Visits are append-only and cannot be changed');
  }

  const { merged, taken, conflicts } = mergeFields(server, m.fields as Fields, m.base as Fields | undefined);
  if (taken.length === 0 && conflicts.length === 0) return []; // the server already has these values
  const badConflict = invalidConflictKey(m.entity, conflicts);
  if (badConflict !== undefined) {
    throw new Rejection('invalid_record', `Invalid ${m.entity}: the value or base of "${badConflict}" is not valid`, badConflict);
  }
  let record = server;
  if (taken.length > 0) {
    record = validate(m.entity, { ...merged, updatedAt: m.at });
    if (record.wardCode !== user.wardCode) throw new Rejection('wrong_ward', 'Records cannot move to another ward', 'wardCode');
  }
  const group = taken.includes('group') || taken.includes('householdId') ? await resolveGroup(tx, m.entity, record) : existing.group_code;
  // Written (and its version bumped) even when only conflicts were found: the
  // device that lost must pull the server's value to converge.
  await write(tx, m.entity, record, group, existing);
  for (const c of conflicts) {
    await tx.trx
      .insertInto('conflicts')
      .values({
        id: uuidv7(),
        ward_code: user.wardCode,
        entity: m.entity,
        record_id: m.id,
        field: c.field,
        server_value: JSON.stringify(c.serverValue ?? null),
        client_value: JSON.stringify(c.clientValue ?? null),
        base_value: JSON.stringify(c.baseValue ?? null),
        user_id: user.id,
        client_id: tx.clientId,
        seq: m.seq,
        mutation_at: m.at,
        at: tx.now,
      })
      .execute();
  }
  return conflicts.map((c) => c.field);
}
