// The SQL of the sync write path. push.ts decides what happens; this file
// reads and writes the rows:
//   clients              one per device queue: its owner and lastAppliedSeq
//   ward_counters        the ward's version sequence, which is the pull cursor
//   records              one per record: its JSON, group, creator and version
//   conflicts,           what needs a human (GET /attention); at most
//   rejected_mutations   MAX_REJECTED_PER_USER rejected rows per user
// On PostgreSQL the lock functions and the record reads take row locks
// (SELECT ... FOR UPDATE) that are held until commit; push.ts says why, and
// takes them in the order client row, record rows, ward row (the ward's only
// at the end, takeVersions). On SQLite writeTx's BEGIN IMMEDIATE has already
// serialised writers, so they are plain reads.
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '../shared/ids';
import type { Mutation } from '../shared/protocol';
import type { Entity } from '../shared/schemas';
import type { ClientsTable, DB, Dialect, RecordsTable } from './db';
import { applyDeltaRows, type AggregateChanges, type DeltaRows } from './reports/aggregates';
import type { Rejection } from './errors';
import type { FieldConflict } from './merge';
import { withoutStrayKeys } from './mutation-checks';
import { boundedForStorage } from './storage-bounds';
import type { AuthUser } from './users';

let lastRowMs = 0;
let rowCounter = 0;
/**
 * Ids of conflict and rejected rows: UUID v7 whose 12 "rand_a" bits count up
 * within a millisecond (RFC 9562, method 1), so that within this process ids
 * sort in the order the rows were stored. "Newest first" in GET /attention
 * and "the oldest go first" in capRejections rely on it.
 */
function rowId(): string {
  const now = Date.now();
  if (now > lastRowMs) {
    lastRowMs = now;
    rowCounter = 0;
  } else if (++rowCounter > 0xfff) {
    lastRowMs += 1; // 4,096 rows in one millisecond: borrow the next one
    rowCounter = 0;
  }
  const id = uuidv7(lastRowMs);
  return `${id.slice(0, 15)}${rowCounter.toString(16).padStart(3, '0')}${id.slice(18)}`;
}

/** What every write of one push shares. nextVersion() hands out the ward's versions in order. */
export interface PushTx {
  trx: Kysely<DB>;
  /** On PostgreSQL, loadRecord() locks the rows it reads. Absent means SQLite (plain reads). */
  dialect?: Dialect;
  /** Records read ahead by preloadRecords(), null when absent; loadRecord() hands them out until a write drops them. */
  preloaded?: Map<string, RecordsTable | null>;
  /**
   * Household creates not yet stored: writeRecord() queues them here, when
   * present, and flushInserts() stores them with one multi-row INSERT. Only
   * a write path that calls flushInserts() before its transaction ends sets
   * it (push.ts). Every other read or write of records in this file flushes
   * first, so nothing reads around a queued row. Why households only: what
   * the aggregates read before a write (AggregateChanges.beforeWrite) is
   * nothing for a household create, but a person's or visit's household,
   * which may be queued.
   */
  inserts?: NewRecordRow[];
  user: AuthUser;
  clientId: string;
  now: string;
  nextVersion: () => number;
  /**
   * The ward's aggregate changes (reports/aggregates.ts): every writeRecord
   * reports to it, and whoever made this PushTx must flush() it before commit
   * (push.ts does; another write path uses keepingAggregates()).
   */
  aggregates: AggregateChanges;
}

/** This clientId's row, created on first use for userId, locked until commit. */
export async function lockClient(trx: Kysely<DB>, dialect: Dialect, clientId: string, userId: string, now: string) {
  if (dialect === 'postgres') {
    // One round trip: ON CONFLICT DO UPDATE locks the existing row (as FOR
    // UPDATE would) and returns its latest committed version, even under
    // READ COMMITTED; the update sets nothing that changes.
    const { rows } = await sql<ClientsTable>`
      insert into clients (client_id, user_id, last_applied_seq, created_at, last_push_at)
      values (${clientId}, ${userId}, 0, ${now}, null)
      on conflict (client_id) do update set user_id = clients.user_id
      returning *`.execute(trx);
    return rows[0]!;
  }
  await trx
    .insertInto('clients')
    .values({ client_id: clientId, user_id: userId, last_applied_seq: 0, created_at: now, last_push_at: null })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
  // SQLite: BEGIN IMMEDIATE already holds the write lock.
  return trx.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
}

/** The ward's last version, its counter row locked until commit. */
export async function lockWardCounter(trx: Kysely<DB>, dialect: Dialect, wardCode: string): Promise<number> {
  await trx
    .insertInto('ward_counters')
    .values({ ward_code: wardCode, seq: 0 })
    .onConflict((oc) => oc.column('ward_code').doNothing())
    .execute();
  let q = trx.selectFrom('ward_counters').select('seq').where('ward_code', '=', wardCode);
  if (dialect === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.seq);
}

/**
 * PostgreSQL: the versions a push hands out BEFORE it holds the ward counter
 * (push.ts, step 3). They are base + 1, base + 2, ... with base = -(backend pid
 * + 1) × PROVISIONAL_SPAN: negative, so never a committed version, and unique
 * among transactions running at once (each runs in its own backend, and a pid
 * is only reused once its backend is gone). The unique index (ward_code,
 * version) therefore never makes one push wait for another's provisional rows.
 * No committed row ever keeps one: renumber() runs before COMMIT.
 */
export const PROVISIONAL_SPAN = 10_000_000;

/** Also makes sure the ward's counter row exists, so that takeVersions() only updates it. */
export async function provisionalBase(trx: Kysely<DB>, wardCode: string): Promise<number> {
  // One round trip: the pid, and whether the counter row exists, read
  // without a lock. Not INSERT ... ON CONFLICT DO NOTHING every time: on a
  // row that another push is updating in its tail (takeVersions), that waits
  // for the other push to commit, so every push of the ward queued at its
  // start for the tail of the one before (pg_stat_activity under
  // server-ingest: 0.8 sessions on average waiting there).
  const { rows } = await sql<{ pid: number; known: boolean }>`
    select pg_backend_pid() as pid, exists (select 1 from ward_counters where ward_code = ${wardCode}) as known`.execute(trx);
  if (!rows[0]!.known) {
    await trx.insertInto('ward_counters').values({ ward_code: wardCode, seq: 0 }).onConflict((oc) => oc.column('ward_code').doNothing()).execute();
  }
  return -(Number(rows[0]!.pid) + 1) * PROVISIONAL_SPAN;
}

/**
 * PostgreSQL: takes `count` versions of the ward at once and gives this
 * transaction's provisional versions base + 1 ... base + count their final
 * numbers (same order), in records and scope_exits, the two tables that carry
 * the ward's versions. One round trip: the counter's UPDATE ... RETURNING
 * locks its row until commit (the cursor's guarantee, push.ts step 3) and
 * moves it, and the same statement renumbers both tables. Returns the ward's
 * new last version.
 */
export async function takeVersions(trx: Kysely<DB>, wardCode: string, base: number, count: number, deltas?: DeltaRows): Promise<number> {
  if (count >= PROVISIONAL_SPAN) throw new Error('A push took more versions than a provisional span holds');
  // The aggregates' deltas (AggregateChanges.takeDeltas) go in the same
  // statement when they are few: each waits for the counter's new value, so
  // the counter is locked first, as when they were applied after it.
  const inline = deltas && deltas.groupRows.length * 4 + deltas.wardRows.length * 3 <= MAX_INLINE_PARAMETERS ? deltas : undefined;
  const stats = inline ? deltaCtes(inline) : sql``;
  // One statement, so one round trip while holding the counter: each round
  // trip of this tail waits for the app server's event loop, which is busy
  // reading other requests, while every other push of the ward waits for it.
  // The counter is updated first (the CTE's subquery reads its new value), so
  // its row is locked before any renumbering.
  const mine = sql`ward_code = ${wardCode} and version > ${base} and version <= ${base + count}`;
  const { rows } = await sql<{ seq: number }>`
    with counter as (update ward_counters set seq = seq + ${count} where ward_code = ${wardCode} returning seq),
         moved as (update records set version = version + ((select seq from counter) - ${count + base}) where ${mine} returning 1),
         exits as (update scope_exits set version = version + ((select seq from counter) - ${count + base}) where ${mine} returning 1)${stats}
    select seq from counter`.execute(trx);
  if (deltas && !inline) await applyDeltaRows(trx, deltas);
  return Number(rows[0]!.seq);
}

/** Parameters of the aggregates' rows in takeVersions' statement at most; more are applied by their own statements. */
const MAX_INLINE_PARAMETERS = 20_000;

/** The aggregates' upserts as CTEs of takeVersions' statement, each run only once the counter CTE has its row. */
function deltaCtes({ groupRows, wardRows }: DeltaRows) {
  const after = sql`where exists (select 1 from counter)`;
  const groups = groupRows.length === 0 ? sql`` : sql`,
         group_stats as (insert into ward_group_stats (ward_code, group_code, metric, value)
           select * from (values ${sql.join(groupRows.map((r) => sql`(${r.ward_code}, ${r.group_code}, ${r.metric}, ${r.value}::bigint)`))}) v ${after}
           on conflict (ward_code, group_code, metric) do update set value = ward_group_stats.value + excluded.value returning 1)`;
  const ward = wardRows.length === 0 ? sql`` : sql`,
         ward_totals as (insert into ward_stats (ward_code, metric, value)
           select * from (values ${sql.join(wardRows.map((r) => sql`(${r.ward_code}, ${r.metric}, ${r.value}::bigint)`))}) v ${after}
           on conflict (ward_code, metric) do update set value = ward_stats.value + excluded.value returning 1)`;
  return sql`${groups}${ward}`;
}

export async function saveWardCounter(trx: Kysely<DB>, wardCode: string, version: number) {
  await trx.updateTable('ward_counters').set({ seq: version }).where('ward_code', '=', wardCode).execute();
}

export async function saveLastApplied(trx: Kysely<DB>, clientId: string, seq: number, now: string) {
  await trx.updateTable('clients').set({ last_applied_seq: seq, last_push_at: now }).where('client_id', '=', clientId).execute();
}

/**
 * The stored record, or undefined. On PostgreSQL its row is locked until
 * commit: pushes of one ward no longer queue on the ward counter while they
 * work (push.ts, step 3), so two pushes that read and merge the same record
 * must take turns on that record instead.
 */
export async function loadRecord(tx: PushTx, entity: Entity, id: string): Promise<RecordsTable | undefined> {
  const key = recordKey(entity, id);
  const preloaded = tx.preloaded?.get(key);
  // Kept until a write of this record drops it (writeRecord, touchRecord): a
  // household that fifty visits of the push name is read once. Every write
  // of a record goes through those two, and on PostgreSQL the preloaded rows
  // are locked, so what was read is what the database holds.
  if (preloaded !== undefined) return preloaded ?? undefined;
  await flushInserts(tx);
  let q = tx.trx.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id);
  if (tx.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

const recordKey = (entity: string, id: string) => `${entity}\u0000${id}`;

/** Ids per statement of preloadRecords(): well below both databases' limits on parameters. */
const PRELOAD_CHUNK = 500;

/** Whether preloadRecords() found no record with this id (and none was written since): the next loadRecord() is undefined. */
export function knownAbsent(tx: PushTx, entity: Entity, id: string): boolean {
  return tx.preloaded?.get(recordKey(entity, id)) === null;
}

/**
 * One read per entity for the records a push names (its mutations' ids, and
 * the households and people they refer to), instead of one per mutation and
 * reference. Every write of a record drops it from here, so a record changed
 * earlier in the push is read again. On PostgreSQL the rows are locked, in
 * key order, which also makes two pushes of the same records lock them in
 * the same order.
 */
export async function preloadRecords(tx: PushTx, keys: readonly { entity: string; id: string }[]): Promise<void> {
  const byEntity = new Map<string, Set<string>>();
  for (const k of keys) {
    let ids = byEntity.get(k.entity);
    if (!ids) byEntity.set(k.entity, (ids = new Set()));
    ids.add(k.id);
  }
  await flushInserts(tx);
  const preloaded = (tx.preloaded ??= new Map());
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const [entity, set] of [...byEntity].sort(([a], [b]) => byKey(a, b))) {
    const ids = [...set].sort(byKey); // chunks in key order: the locks too
    for (let i = 0; i < ids.length; i += PRELOAD_CHUNK) {
      const chunk = ids.slice(i, i + PRELOAD_CHUNK);
      for (const id of chunk) preloaded.set(recordKey(entity, id), null);
      let q = tx.trx.selectFrom('records').selectAll().where('entity', '=', entity).where('id', 'in', chunk).orderBy('id');
      if (tx.dialect === 'postgres') q = q.forUpdate();
      for (const row of await q.execute()) preloaded.set(recordKey(row.entity, row.id), row);
    }
  }
}

/** Inserts the record, or updates `existing`, with the ward's next version; returns that version. */
export async function writeRecord(tx: PushTx, entity: Entity, record: Record<string, unknown>, group: string | null, existing?: RecordsTable): Promise<number> {
  const row = {
    ward_code: record.wardCode as string,
    group_code: group,
    data: JSON.stringify(record),
    deleted: record.deleted ? 1 : 0,
    version: tx.nextVersion(),
    server_updated_at: tx.now,
  };
  tx.preloaded?.delete(recordKey(entity, record.id as string));
  if (!existing && entity === 'household' && tx.inserts) {
    await tx.aggregates.beforeWrite(entity, existing, { group_code: group, deleted: row.deleted, data: record });
    tx.inserts.push({ entity, id: record.id as string, created_by: tx.user.id, ...row });
    return row.version;
  }
  await flushInserts(tx);
  await tx.aggregates.beforeWrite(entity, existing, { group_code: group, deleted: row.deleted, data: record });
  if (existing) {
    await tx.trx.updateTable('records').set(row).where('entity', '=', entity).where('id', '=', record.id as string).execute();
  } else {
    await tx.trx
      .insertInto('records')
      .values({ entity, id: record.id as string, created_by: tx.user.id, ...row })
      .execute();
  }
  return row.version;
}

/** A row of records as writeRecord() stores it. */
export type NewRecordRow = RecordsTable;

/** Rows per INSERT: 9 parameters each, far below SQLite's 32,766 and PostgreSQL's 65,535. */
const INSERT_CHUNK = 500;

/**
 * Stores the household creates writeRecord() queued (PushTx.inserts), with
 * one multi-row INSERT per INSERT_CHUNK rows: on PostgreSQL one round trip
 * instead of one per record, on both one statement to build and compile.
 */
export async function flushInserts(tx: PushTx): Promise<void> {
  const rows = tx.inserts;
  if (!rows || rows.length === 0) return;
  tx.inserts = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx.trx.insertInto('records').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  }
}

/**
 * Gives a stored record the ward's next version without changing it, so that a
 * user it just came into scope for pulls it (cases.ts: a responder and the
 * household a new case points at). Devices that have it store the same data again.
 */
export async function touchRecord(tx: PushTx, existing: RecordsTable): Promise<number> {
  const version = tx.nextVersion();
  tx.preloaded?.delete(recordKey(existing.entity, existing.id));
  await flushInserts(tx);
  await tx.trx
    .updateTable('records')
    .set({ version, server_updated_at: tx.now })
    .where('entity', '=', existing.entity)
    .where('id', '=', existing.id)
    .execute();
  return version;
}

export async function storeConflicts(tx: PushTx, m: Mutation, conflicts: FieldConflict[]) {
  for (const c of conflicts) {
    await tx.trx
      .insertInto('conflicts')
      .values({
        id: rowId(),
        ward_code: tx.user.wardCode,
        entity: m.entity,
        record_id: m.id,
        field: c.field,
        server_value: JSON.stringify(c.serverValue ?? null),
        client_value: JSON.stringify(c.clientValue ?? null),
        base_value: JSON.stringify(c.baseValue ?? null),
        user_id: tx.user.id,
        client_id: tx.clientId,
        seq: m.seq,
        mutation_at: m.at,
        at: tx.now,
      })
      .execute();
  }
}

/** Rejected mutations kept per user; storing one more drops that user's oldest. */
export const MAX_REJECTED_PER_USER = 1000;

/** Drops the user's oldest rejected mutations beyond MAX_REJECTED_PER_USER. Once per push, after its rejections. */
export async function capRejections(tx: PushTx) {
  const cutoff = await tx.trx
    .selectFrom('rejected_mutations')
    .select('id')
    .where('user_id', '=', tx.user.id)
    .orderBy('id', 'desc')
    .limit(1)
    .offset(MAX_REJECTED_PER_USER - 1)
    .executeTakeFirst();
  if (cutoff) await tx.trx.deleteFrom('rejected_mutations').where('user_id', '=', tx.user.id).where('id', '<', cutoff.id).execute();
}

export async function storeRejection(tx: PushTx, m: Mutation, rejection: Rejection) {
  await tx.trx
    .insertInto('rejected_mutations')
    .values({
      id: rowId(),
      ward_code: tx.user.wardCode,
      client_id: tx.clientId,
      user_id: tx.user.id,
      seq: m.seq,
      entity: m.entity,
      record_id: m.id,
      op: m.op,
      // Keep what the user can fix and resend, but never keys the strict
      // schemas refuse: a smuggled nationalId must not end up stored here. And
      // keep it bounded: values are cut to their fields' limits (storage-bounds.ts).
      fields: JSON.stringify(boundedForStorage(m.entity, withoutStrayKeys(m.entity, m.fields))),
      base: m.base === undefined ? null : JSON.stringify(boundedForStorage(m.entity, withoutStrayKeys(m.entity, m.base))),
      mutation_at: m.at,
      code: rejection.code,
      message: rejection.message,
      path: rejection.path ?? null,
      at: tx.now,
    })
    .execute();
}

/**
 * The people, visits and cases of a household, tombstones included. Found by the
 * household id inside their JSON (records are stored as JSON.stringify writes
 * them, so the text is exactly "householdId":"<uuid>"; a uuid has no LIKE
 * wildcards), then checked parsed. Used by the rare writes that follow a
 * household: a move and an erasure.
 */
export async function householdChildren(tx: PushTx, householdId: string): Promise<RecordsTable[]> {
  await flushInserts(tx);
  const rows = await tx.trx
    .selectFrom('records')
    .selectAll()
    .where('ward_code', '=', tx.user.wardCode)
    .where('entity', 'in', ['person', 'visit', 'case'])
    .where('data', 'like', `%"householdId":"${householdId}"%`)
    .orderBy('version')
    .execute();
  return rows.filter((r) => (JSON.parse(r.data) as { householdId?: unknown }).householdId === householdId);
}
