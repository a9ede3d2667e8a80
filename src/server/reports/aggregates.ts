// Incremental aggregates: the ward summary and the city report read counters
// kept per ward and group instead of scanning records on every request.
//
// Tables (migration 9), key/value so that counting something new needs no new
// column, only a migration that calls rebuildAggregates() again:
//   ward_group_stats(ward_code, group_code, metric, value)   per group
//   ward_stats(ward_code, metric, value)                      the same, summed per ward
// group_code is '' for what has no group (walk-in visits, their cases).
//
// HOW THEY STAY RIGHT. Every write of a record goes through records.writeRecord,
// which calls AggregateChanges.beforeWrite(...) (one line) BEFORE it writes, and
// push.ts calls flush() once before its transaction commits. Two kinds of figure:
//   1. Per record (visits, cases): a pure function of one stored row. The delta
//      is contribution(new row) - contribution(old row), group by group, so a
//      scrubbed visit, a moved one or a case changing status moves exactly
//      its own counts.
//   2. Per household (households, coverage, people, priority, funnel,
//      blockers): a household's contribution depends on its own row, its live
//      people and its latest live visit (the summary's definitions, summary.ts).
//      The first time a push is about to touch a household (its row, a person
//      or a visit naming it, before or after the write) its contribution is
//      read from the database and kept; flush() reads the contributions of all
//      touched households again, in batches, and applies after - before. So
//      deletes, erasure, consent withdrawals (people tombstoned), moves between
//      groups and poverty changes all come out right without a rule per case.
// Deltas are summed in memory and applied with one
//   INSERT ... ON CONFLICT DO UPDATE SET value = value + excluded.value
// per table and batch, inside the push's transaction: the figures commit with
// the records or not at all.
//
// Priority depends on the year (elderly = born <= year - 60), so it is not
// stored as one number: `people.priority` counts people who are priority
// whatever the year (disability, near-poor or poor household) and
// `people.born.<YYYY>` counts the others by birth year; the reader adds the
// birth years up to year - 60. The same for `reached.*` (people of visited
// households, the city report's "priority people reached").
//
// The recount (recountWard, rebuildAggregates) computes the same figures from
// records alone; tests/server/aggregates.test.ts compares the two after random
// pushes. AGGREGATES_VERSION names the meaning of the metrics: change what one
// counts and bump it, with a migration that calls rebuildAggregates().
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS } from '../../shared/platforms';
import { ELDERLY_AGE } from '../../shared/priority';
import type { DB, Dialect, RecordsTable } from '../db';
import { householdRef, reportSql } from './sql';

/** The meaning of the metric names below. Changing it needs a migration that rebuilds. */
export const AGGREGATES_VERSION = 1;

/** The group_code of what has no group. */
export const NO_GROUP = '';

export const CASE_STATUSES = ['open', 'in_progress', 'resolved'] as const;

type Rec = Record<string, unknown>;
/** metric -> value; only non-zero values are kept. */
export type Metrics = Map<string, number>;
/** group -> metrics */
export type GroupMetrics = Map<string, Metrics>;

const isObject = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function add(m: Metrics, metric: string, n = 1) {
  const v = (m.get(metric) ?? 0) + n;
  if (v === 0) m.delete(metric);
  else m.set(metric, v);
}

function addAll(into: GroupMetrics, group: string, from: Metrics, sign: 1 | -1) {
  if (from.size === 0) return;
  let m = into.get(group);
  if (!m) into.set(group, (m = new Map()));
  for (const [k, v] of from) add(m, k, sign * v);
}

// ------------------------------------------------------------ contributions

/** A visit's or case's own counts (kind 1). Anything else counts nothing on its own. */
export function recordContribution(entity: string, deleted: boolean, data: Rec): Metrics {
  const m: Metrics = new Map();
  if (deleted) return m;
  if (entity === 'visit') {
    add(m, 'visits');
    if (data.channel === 'door') add(m, 'visits.door');
    if (data.channel === 'literacy_point') add(m, 'visits.literacy_point');
    if (data.outcome === 'helped') add(m, 'visits.helped');
    if (data.escalate !== undefined && data.escalate !== null) add(m, 'visits.escalated');
  } else if (entity === 'case') {
    if ((CASE_STATUSES as readonly unknown[]).includes(data.status)) add(m, `cases.${String(data.status)}`);
  }
  return m;
}

/** The outcome a latest-visit key ends in (reportSql().latestOutcomeKey). */
const outcomeOfKey = (key: string | null) => (key === null ? null : key.slice(key.lastIndexOf('|') + 1));

/**
 * A live household's counts (kind 2), all in its group: itself, its coverage
 * bucket from its latest visit's outcome, and its live people.
 */
export function householdContribution(household: Rec, people: readonly Rec[], latestOutcome: string | null): Metrics {
  const m: Metrics = new Map();
  add(m, 'households');
  const visited = latestOutcome === 'helped' || latestOutcome === 'revisit';
  if (visited) add(m, 'households.visited');
  else if (latestOutcome === 'not_home') add(m, 'households.not_home');
  else if (latestOutcome === 'declined') add(m, 'households.declined');
  const poor = household.povertyStatus === 'near_poor' || household.povertyStatus === 'poor';
  for (const p of people) {
    add(m, 'people');
    const flags = isObject(p.flags) ? p.flags : {};
    if (poor || flags.disability === true) {
      add(m, 'people.priority');
      if (visited) add(m, 'reached.priority');
    } else if (typeof p.birthYear === 'number' && Number.isInteger(p.birthYear)) {
      add(m, `people.born.${p.birthYear}`);
      if (visited) add(m, `reached.born.${p.birthYear}`);
    }
    const platforms = isObject(p.platforms) ? p.platforms : {};
    let alone = false;
    for (const platform of PLATFORMS) {
      const checklist = platforms[platform];
      if (!isObject(checklist)) continue;
      add(m, `funnel.${platform}.people`);
      if (checklist.independent === true) {
        add(m, `funnel.${platform}.independent`);
        alone = true;
      }
      const steps = isObject(checklist.steps) ? checklist.steps : {};
      const blockedFor = new Set<string>();
      for (const step of PLATFORM_STEPS[platform]) {
        const s = steps[step];
        if (!isObject(s)) continue;
        if (s.status === 'done') add(m, `funnel.${platform}.${step}.done`);
        if (s.status === 'blocked') {
          add(m, `funnel.${platform}.${step}.blocked`);
          if (typeof s.blocker === 'string') blockedFor.add(s.blocker);
        }
      }
      for (const b of BLOCKERS) if (blockedFor.has(b)) add(m, `blocked.${platform}.${b}`);
    }
    if (alone) add(m, 'people.independent');
  }
  return m;
}

/**
 * For readers: a metric column as read in `year`, with every people.born.<Y>
 * (reached.born.<Y>) of an elderly birth year folded into people.elderly
 * (reached.elderly), and `keep`, the condition that drops the other birth
 * years. Sum the value grouped by `metric`; then priority people =
 * people.priority + people.elderly (reached: reached.priority + reached.elderly).
 * The cast only ever sees the digits the write path put there (CASE guards it).
 */
export function elderlyFolding(year: number) {
  const born = sql`case when metric like 'people.born.%' then cast(substr(metric, 13) as integer)
                        when metric like 'reached.born.%' then cast(substr(metric, 14) as integer) end`;
  return {
    metric: sql<string>`case when metric like 'people.born.%' then 'people.elderly'
                             when metric like 'reached.born.%' then 'reached.elderly' else metric end`,
    keep: sql<boolean>`(${born} is null or ${born} <= ${year - ELDERLY_AGE})`,
  };
}

/** Priority people (or reached ones) of metrics read through elderlyFolding. */
export const priorityOf = (m: ReadonlyMap<string, number>, prefix: 'people' | 'reached' = 'people') =>
  (m.get(`${prefix}.priority`) ?? 0) + (m.get(`${prefix}.elderly`) ?? 0);

// ------------------------------------------------------------ reading households

interface HouseholdFacts {
  group: string;
  data: Rec;
  people: Rec[];
  /** The latest live visit's outcome, or null. */
  latest: string | null;
}

/**
 * The facts of live households of `ward`: their row, live people and latest
 * live visit's outcome; all of the ward's when `ids` is undefined. One
 * statement (three arms of a UNION ALL), on the indexes of migration 4 when
 * ids are given. Same definitions as summary.ts: people and visits count under
 * a household of their own ward; the latest visit is max((at in UTC, id)).
 */
async function householdFacts(trx: Kysely<DB>, dialect: Dialect, ward: string, ids?: readonly string[]): Promise<Map<string, HouseholdFacts>> {
  const R = reportSql(dialect);
  const ref = householdRef(dialect, 'r.data');
  const only = (col: RawBuilder<unknown>) => (ids ? sql`and ${col} in (${sql.join(ids)})` : sql``);
  // SQLite, with ids: without statistics (no ANALYZE) SQLite took
  // records_ward_entity for households and people, scanning every live
  // household (or person) of the ward on each push's flush: 18 % of the
  // server's CPU under the ingest benchmark, growing with the ward. A unary +
  // keeps a column out of index choice (households: the primary key), and
  // people name their index (migration 4).
  // PostgreSQL, with ids: the same choice whenever its statistics lag behind
  // a ward that grows fast (a registration day, or server-ingest: analyze
  // runs after 10 % of a table has changed): records_ward_entity, every live
  // household of the ward read and filtered by id, 6 ms per push at 50,000
  // households, the statement PostgreSQL spent most of its time in. Text
  // concatenation and + 0 keep those columns out of its index choice too.
  const pick = ids !== undefined && dialect === 'sqlite';
  const bare = (col: string, kind: 'text' | 'int') =>
    ids === undefined ? sql.ref(col) : dialect === 'sqlite' ? sql`+${sql.ref(col)}` : kind === 'text' ? sql`(${sql.ref(col)} || '')` : sql`(${sql.ref(col)} + 0)`;
  const people = pick ? sql`records r indexed by records_person_household` : sql`records r`;
  const { rows } = await sql<{ kind: string; hid: string; grp: string | null; data: string }>`
    select 'h' as kind, r.id as hid, r.group_code as grp, r.data as data
      from records r
     where r.entity = 'household' and ${bare('r.ward_code', 'text')} = ${ward} and ${bare('r.deleted', 'int')} = 0 ${only(sql`r.id`)}
    union all
    select 'p', ${ref}, null, r.data
      from ${people}
     where r.entity = 'person' and r.ward_code = ${ward} and r.deleted = 0 ${only(ref)}
    union all
    select 'v', y.hid, null, ${R.maxBytes('y.latest')}
      from (select x.hid, ${R.latestOutcomeKey('x.k', 'x.id', sql`x.outcome`)} as latest
              from (select ${ref} as hid, r.id, ${R.visitAt('r.data')} as k, ${R.text(R.doc('r.data'), ['outcome'])} as outcome
                      from records r
                     where r.entity = 'visit' and r.ward_code = ${ward} and r.deleted = 0 ${only(ref)}) x
             where x.hid is not null) y
     group by y.hid
  `.execute(trx);
  const out = new Map<string, HouseholdFacts>();
  for (const r of rows) if (r.kind === 'h') out.set(r.hid, { group: r.grp ?? NO_GROUP, data: JSON.parse(r.data) as Rec, people: [], latest: null });
  for (const r of rows) {
    const h = out.get(r.hid);
    if (!h) continue; // a person or visit of a household that is deleted, or not of this ward
    if (r.kind === 'p') h.people.push(JSON.parse(r.data) as Rec);
    else if (r.kind === 'v') h.latest = outcomeOfKey(r.data);
  }
  return out;
}

const CHUNK = 400;

/** Each household's contribution, with its group; households not live in `ward` are absent. */
async function contributions(trx: Kysely<DB>, dialect: Dialect, ward: string, ids?: readonly string[]) {
  const out = new Map<string, { group: string; metrics: Metrics }>();
  const batches = ids ? Array.from({ length: Math.ceil(ids.length / CHUNK) }, (_, i) => ids.slice(i * CHUNK, (i + 1) * CHUNK)) : [undefined];
  for (const batch of batches) {
    for (const [id, f] of await householdFacts(trx, dialect, ward, batch)) {
      out.set(id, { group: f.group, metrics: householdContribution(f.data, f.people, f.latest) });
    }
  }
  return out;
}

// ------------------------------------------------------------ the write path

/** What a record write looks like to the aggregates. */
export interface WrittenRow {
  group_code: string | null;
  deleted: boolean | number;
  data: Rec;
}

const householdIdOf = (entity: string, data: Rec | undefined): string | undefined =>
  data === undefined ? undefined : entity === 'household' ? (data.id as string) : typeof data.householdId === 'string' ? data.householdId : undefined;

/**
 * The aggregate changes of one push (one ward, one transaction). Created with
 * the push's PushTx; beforeWrite() for every record write, flush() once before commit.
 */
export class AggregateChanges {
  /** Per-record deltas, group -> metric -> delta. */
  private readonly deltas: GroupMetrics = new Map();
  /** Touched households: their contribution before this push touched them. */
  private readonly before = new Map<string, { group: string; metrics: Metrics } | null>();

  constructor(
    private readonly trx: Kysely<DB>,
    private readonly dialect: Dialect,
    private readonly ward: string,
  ) {}

  /** Called by records.writeRecord BEFORE it stores `next` over `existing` (undefined for a create). */
  async beforeWrite(entity: string, existing: RecordsTable | undefined, next: WrittenRow): Promise<void> {
    const old = existing ? (JSON.parse(existing.data) as Rec) : undefined;
    if (entity === 'household' && !existing) {
      // A household that did not exist contributed nothing.
      if (!this.before.has(next.data.id as string)) this.before.set(next.data.id as string, null);
    }
    for (const id of new Set([householdIdOf(entity, old), householdIdOf(entity, next.data)])) {
      if (id !== undefined && !this.before.has(id)) {
        // PostgreSQL: pushes of a ward run side by side (push.ts, step 3). The
        // household's row stays locked until commit, so no other push changes
        // its contribution between this read and flush()'s.
        if (this.dialect === 'postgres') await sql`select id from records where entity = 'household' and id = ${id} for update`.execute(this.trx);
        this.before.set(id, (await contributions(this.trx, this.dialect, this.ward, [id])).get(id) ?? null);
      }
    }
    if (old && existing) addAll(this.deltas, existing.group_code ?? NO_GROUP, recordContribution(entity, Boolean(existing.deleted), old), -1);
    addAll(this.deltas, next.group_code ?? NO_GROUP, recordContribution(entity, Boolean(next.deleted), next.data), 1);
  }

  /** Computed by prepare(), applied by flush(). */
  private prepared: GroupMetrics | undefined;

  /**
   * Computes what this push changed (reads the touched households again),
   * without writing it yet; flush() writes it. Optional: flush() prepares
   * what was written since (adding it to what was prepared before).
   */
  async prepare(): Promise<void> {
    const changes: GroupMetrics = this.prepared ?? new Map();
    for (const [group, m] of this.deltas) addAll(changes, group, m, 1);
    const ids = [...this.before.keys()];
    const after = ids.length > 0 ? await contributions(this.trx, this.dialect, this.ward, ids) : new Map();
    for (const [id, was] of this.before) {
      if (was) addAll(changes, was.group, was.metrics, -1);
      const now = after.get(id);
      if (now) addAll(changes, now.group, now.metrics, 1);
    }
    this.deltas.clear();
    this.before.clear();
    this.prepared = changes;
  }

  /**
   * PostgreSQL: what flush() would apply, handed out as rows instead, for the
   * caller to store within the statement that takes the ward's counter
   * (records.takeVersions): one round trip less in the tail that every push
   * of the ward queues for. They count as applied; flush() afterwards
   * applies only what was written since.
   */
  async takeDeltas(): Promise<DeltaRows> {
    if (!this.prepared || this.deltas.size > 0 || this.before.size > 0) await this.prepare();
    const rows = deltaRows(this.ward, this.prepared!);
    this.prepared = undefined;
    return rows;
  }

  /** Applies everything this push changed. Call once, inside the transaction, after the last write. */
  async flush(): Promise<void> {
    if (!this.prepared || this.deltas.size > 0 || this.before.size > 0) await this.prepare();
    const changes = this.prepared!;
    this.prepared = undefined;
    await applyDeltas(this.trx, this.ward, changes);
  }
}

/**
 * For a write path other than push (e.g. a console endpoint changing a case):
 * runs fn with a fresh AggregateChanges for `ward` to put in its PushTx, and
 * flushes it when fn returns, inside the same transaction.
 */
export async function keepingAggregates<T>(trx: Kysely<DB>, dialect: Dialect, ward: string, fn: (changes: AggregateChanges) => Promise<T>): Promise<T> {
  const changes = new AggregateChanges(trx, dialect, ward);
  const result = await fn(changes);
  await changes.flush();
  return result;
}

/** Adds `changes` to ward_group_stats and (summed over groups) ward_stats. */
/** The rows that apply a push's changes: added to ward_group_stats per group, and to ward_stats summed. */
export interface DeltaRows {
  groupRows: { ward_code: string; group_code: string; metric: string; value: number }[];
  wardRows: { ward_code: string; metric: string; value: number }[];
}

function deltaRows(ward: string, changes: GroupMetrics): DeltaRows {
  const wardTotals: Metrics = new Map();
  const groupRows: DeltaRows['groupRows'] = [];
  for (const [group, m] of changes) {
    for (const [metric, value] of m) {
      groupRows.push({ ward_code: ward, group_code: group, metric, value });
      add(wardTotals, metric, value);
    }
  }
  return { groupRows, wardRows: [...wardTotals].map(([metric, value]) => ({ ward_code: ward, metric, value })) };
}

async function applyDeltas(trx: Kysely<DB>, ward: string, changes: GroupMetrics): Promise<void> {
  await applyDeltaRows(trx, deltaRows(ward, changes));
}

/** Adds the rows to the stored figures (the two tables' upserts). */
export async function applyDeltaRows(trx: Kysely<DB>, { groupRows, wardRows }: DeltaRows): Promise<void> {
  for (let i = 0; i < groupRows.length; i += 1000) {
    await trx
      .insertInto('ward_group_stats')
      .values(groupRows.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['ward_code', 'group_code', 'metric']).doUpdateSet({ value: sql`ward_group_stats.value + excluded.value` }))
      .execute();
  }
  for (let i = 0; i < wardRows.length; i += 1000) {
    await trx
      .insertInto('ward_stats')
      .values(wardRows.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['ward_code', 'metric']).doUpdateSet({ value: sql`ward_stats.value + excluded.value` }))
      .execute();
  }
}

// ------------------------------------------------------------ the recount

/** Every figure of one ward, computed from records alone (no stored aggregate is read). */
export async function recountWard(trx: Kysely<DB>, dialect: Dialect, ward: string): Promise<GroupMetrics> {
  const out: GroupMetrics = new Map();
  for (const { group, metrics } of (await contributions(trx, dialect, ward)).values()) addAll(out, group, metrics, 1);
  const rows = await trx
    .selectFrom('records')
    .select(['entity', 'group_code', 'data'])
    .where('ward_code', '=', ward)
    .where('entity', 'not in', ['household', 'person'])
    .where('deleted', '=', 0)
    .execute();
  for (const r of rows) addAll(out, r.group_code ?? NO_GROUP, recordContribution(r.entity, false, JSON.parse(r.data) as Rec), 1);
  return out;
}

/** The wards that have records. */
export async function wardsWithRecords(trx: Kysely<DB>): Promise<string[]> {
  const rows = await trx.selectFrom('ward_counters').select('ward_code').orderBy('ward_code').execute();
  const more = await trx.selectFrom('records').select('ward_code').distinct().execute();
  return [...new Set([...rows.map((r) => r.ward_code), ...more.map((r) => r.ward_code)])].sort();
}

/**
 * Throws the aggregates away and counts them again from records: the
 * migration's backfill, and the way back if they were ever wrong. Run inside a
 * write transaction. On PostgreSQL each ward's counter row is locked first, as
 * a push locks it, so no push of that ward commits in between (SQLite's
 * BEGIN IMMEDIATE has serialised writers already).
 */
export async function rebuildAggregates(trx: Kysely<DB>, dialect: Dialect, wards?: readonly string[]): Promise<void> {
  for (const ward of wards ?? (await wardsWithRecords(trx))) {
    if (dialect === 'postgres') await sql`select seq from ward_counters where ward_code = ${ward} for update`.execute(trx);
    await trx.deleteFrom('ward_group_stats').where('ward_code', '=', ward).execute();
    await trx.deleteFrom('ward_stats').where('ward_code', '=', ward).execute();
    await applyDeltas(trx, ward, await recountWard(trx, dialect, ward));
  }
}

/** The stored aggregates of a ward, as recountWard gives them (zeros left out). */
export async function storedWard(trx: Kysely<DB>, ward: string): Promise<{ groups: GroupMetrics; ward: Metrics }> {
  const groups: GroupMetrics = new Map();
  for (const r of await trx.selectFrom('ward_group_stats').selectAll().where('ward_code', '=', ward).execute()) {
    addAll(groups, r.group_code, new Map([[r.metric, Number(r.value)]]), 1);
  }
  const wardM: Metrics = new Map();
  for (const r of await trx.selectFrom('ward_stats').selectAll().where('ward_code', '=', ward).execute()) add(wardM, r.metric, Number(r.value));
  return { groups, ward: wardM };
}
