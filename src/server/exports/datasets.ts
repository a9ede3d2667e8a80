// The rows of each export dataset, read in keyset pages.
//
// Every dataset is an async generator of pages: one SQL statement reads up to
// `pageSize` rows after the last key of the previous page, then at most two
// more statements fetch, IN BULK for the whole page, what its rows need
// (a page of people: the visits of their households; a page of households:
// their visits and people). Nothing is queried per row, nothing is kept from
// one page to the next but its last key, so memory stays at about one page
// and time is linear in the ward's size. Pages are separate statements (on
// SQLite the single connection is free between them for pushes and pulls): a
// record written during an export appears in it if it sorts after the page
// being read.
//
// Orders and the indexes that serve them:
//   - visits: (at in UTC, id), records_visit_at (migration 2);
//   - people: (householdId, id), records_person_household (migration 4);
//   - households: (group, id), records_household_group (migration 4).
// Page lookups by householdId use records_person_household and
// records_visit_household. Every statement and join names the ward: a record
// or user of another ward never lends its data to this ward's file.
//
// Cells are produced in full here; redaction (empty `full` columns unless
// detail=full) is applied in one place, stream.ts.
import { sql, type RawBuilder } from 'kysely';
import { BLOCKERS, PLATFORMS, PLATFORM_STEPS } from '../../shared/platforms';
import { personPriority } from '../../shared/priority';
import { ageBand, type Dataset } from '../../shared/exports';
import type { Tombstone } from '../../shared/protocol';
import type { Case, Household, Person, Visit } from '../../shared/schemas';
import { caseIdForVisit } from '../cases';
import type { Db } from '../db';
import { householdRef, reportSql, type ReportSql } from '../reports/sql';
import { LIST_SEPARATOR, yesNo, type Cell } from './cells';
import { hanoiDay } from './hanoi';

export type CellRow = Record<string, Cell>;

export interface PageQuery {
  ward: string;
  /** Visits considered: [from, to) instants (rows of visits; visit facts of people and households). */
  range: { from?: Date; to?: Date };
  /** Only this residential group (the household's current group); walk-ins have none. */
  group?: string;
  /** The year in Hanoi, for ages and priority. */
  year: number;
  pageSize: number;
}

const live = (h: Household | Tombstone | null | undefined): Household | undefined => (h && !h.deleted ? (h as Household) : undefined);

/**
 * The keyset condition "(key, id) after (k, id)", spelled for each database
 * so that it is a RANGE on the index (key, id) and nothing is computed per row:
 *   - SQLite does not use a row value over an indexed expression as a range
 *     (it scans the ward from its start on every page: quadratic), so
 *     `key >= k and (key > k or id > b)`;
 *   - PostgreSQL takes the row value as an index condition; the SQLite
 *     spelling would evaluate `key > k` as a filter on every row read, and
 *     the key of visits is a function with its own subtransaction
 *     (gocua_visit_at_us, migration 2), the key of people a jsonb parse.
 */
const keyAfter = (dialect: Db['dialect'], key: RawBuilder<unknown>, id: string, last: { k: string | number; id: string }) =>
  dialect === 'postgres'
    ? sql`and (${key}, ${sql.ref(id)}) > (${last.k}, ${last.id})`
    : sql`and ${key} >= ${last.k} and (${key} > ${last.k} or ${sql.ref(id)} > ${last.id})`;

/**
 * `deleted = 0` written so that no index is chosen for it: otherwise the
 * planner prefers records_ward_entity (ward, entity, deleted) over the
 * householdId indexes and reads every visit of the ward for each page.
 */
const notDeleted = (alias: string) => sql`${sql.ref(`${alias}.deleted`)} + 0 = 0`;

function rangeFilter(R: ReportSql, key: ReturnType<ReportSql['visitAt']>, range: PageQuery['range']) {
  return sql`${range.from ? sql`and ${key} >= ${R.atKeyOf(range.from)}` : sql``}
    ${range.to ? sql`and ${key} < ${R.atKeyOf(range.to)}` : sql``}`;
}

// ------------------------------------------------- which rows (pages and counts)
// The WHERE of each dataset's main statement, shared by its pages and by
// countRows(), so that a count and the rows written cannot disagree.

/** Non-deleted visits of the ward in range; with a group, those of that group's households (tombstones included). */
const visitRows = (db: Db, q: PageQuery) => {
  const R = reportSql(db.dialect);
  return sql`v.ward_code = ${q.ward} and v.entity = ${sql.lit('visit')} and v.deleted = 0
    ${rangeFilter(R, R.visitAt('v.data'), q.range)}
    ${q.group !== undefined
      ? sql`and ${householdRef(db.dialect, 'v.data')} in (
          select g.id from records g where g.entity = ${sql.lit('household')} and g.ward_code = ${q.ward} and g.group_code = ${q.group})`
      : sql``}`;
};

/** Non-deleted people of the ward; with a group, those of that group's live households. */
const personRows = (db: Db, q: PageQuery) =>
  sql`p.ward_code = ${q.ward} and p.entity = ${sql.lit('person')} and p.deleted = 0
    ${q.group !== undefined
      ? sql`and ${householdRef(db.dialect, 'p.data')} in (
          select g.id from records g
          where g.entity = ${sql.lit('household')} and g.ward_code = ${q.ward} and g.group_code = ${q.group} and g.deleted = 0)`
      : sql``}`;

const householdRows = (q: PageQuery) =>
  sql`h.ward_code = ${q.ward} and h.entity = ${sql.lit('household')} and h.deleted = 0
    ${q.group !== undefined ? sql`and h.group_code = ${q.group}` : sql``}`;

const caseRows = (q: PageQuery) =>
  sql`c.ward_code = ${q.ward} and c.entity = ${sql.lit('case')} and c.deleted = 0
    ${q.group !== undefined ? sql`and c.group_code = ${q.group}` : sql``}`;

/**
 * How many rows the dataset would write, but at most `cap` (the count stops
 * there), reading no document on SQLite (PostgreSQL reads the householdId of
 * the people it joins): before the first byte of an XLSX file, whether its
 * rows fit one sheet.
 * Exact for visits, people (those of a live household, as the pages leave
 * out the others) and households; for cases the day filter is applied in
 * Node (casePages), so their count ignores it: an upper bound.
 */
export async function countRows(db: Db, dataset: Dataset, q: Omit<PageQuery, 'pageSize' | 'year'>, cap: number): Promise<number> {
  const pq: PageQuery = { ...q, year: 0, pageSize: 0 };
  const rows = {
    visits: sql`select 1 from records v where ${visitRows(db, pq)}`,
    people: sql`select 1 from records p
      join records h on h.entity = ${sql.lit('household')} and h.ward_code = p.ward_code and h.id = ${householdRef(db.dialect, 'p.data')} and h.deleted = 0
      where ${personRows(db, pq)}`,
    households: sql`select 1 from records h where ${householdRows(pq)}`,
    cases: sql`select 1 from records c where ${caseRows(pq)}`,
  }[dataset];
  const { rows: [row] } = await sql<{ n: number | string }>`select count(*) as n from (${rows} limit ${cap}) t`.execute(db.kysely);
  return Number(row!.n);
}

// ------------------------------------------------------------------ visits

function visitCells(v: Visit, h: Household | Tombstone | null, householdDeleted: boolean, volunteerName: string | null, caseStatus: string | undefined): CellRow {
  const home = live(h);
  const steps = v.people.flatMap((p) => p.steps);
  const blockers = new Set(steps.filter((s) => s.status === 'blocked' && s.blocker).map((s) => s.blocker!));
  const independent = new Set(v.people.flatMap((p) => p.independent ?? []));
  return {
    visit_id: v.id,
    visited_at: v.at,
    channel: v.channel,
    literacy_point: v.literacyPointId ?? '',
    outcome: v.outcome,
    group: h?.group ?? '',
    house_number: home?.address.houseNumber ?? '',
    lane: home?.address.lane ?? '',
    sub_lane: home?.address.subLane ?? '',
    street: home?.address.street ?? '',
    // A deleted household is erased (erasure.ts): only its group is left.
    head_of_household: householdDeleted ? '' : (home?.headName ?? ''),
    people_helped: v.people.length,
    steps_done: steps.filter((s) => s.status === 'done').length,
    steps_blocked: steps.filter((s) => s.status === 'blocked').length,
    blockers: BLOCKERS.filter((b) => blockers.has(b)).join(LIST_SEPARATOR),
    independent_platforms: PLATFORMS.filter((p) => independent.has(p)).join(LIST_SEPARATOR),
    services: v.services.join(LIST_SEPARATOR),
    follow_up_on: v.followUpOn ?? '',
    escalation_reason: v.escalate?.reason ?? '',
    volunteer: volunteerName ?? v.volunteerId,
    escalation_detail: v.escalate?.detail ?? '',
    case_status: caseStatus ?? '',
    walk_in: yesNo(!v.householdId),
  };
}

/** display_name of every user of the ward: what the `volunteer` column shows (users are few). */
async function volunteerNames(db: Db, ward: string): Promise<Map<string, string>> {
  const users = await db.kysely.selectFrom('users').select(['id', 'display_name']).where('ward_code', '=', ward).execute();
  return new Map(users.map((u) => [u.id, u.display_name]));
}

/** Households (live or tombstones) of the ward by id, in one statement. */
async function householdsById(db: Db, ward: string, ids: string[]): Promise<Map<string, { h: Household | Tombstone; deleted: boolean }>> {
  const out = new Map<string, { h: Household | Tombstone; deleted: boolean }>();
  if (ids.length === 0) return out;
  const { rows } = await sql<{ id: string; data: string; deleted: number }>`
    select h.id, h.data, h.deleted from records h
    where h.entity = ${sql.lit('household')} and h.ward_code = ${ward} and h.id in (${sql.join(ids)})
  `.execute(db.kysely);
  for (const r of rows) out.set(r.id, { h: JSON.parse(r.data) as Household | Tombstone, deleted: Number(r.deleted) === 1 });
  return out;
}

/**
 * Keyset page sizes: a small first page, so the first bytes leave at once,
 * then doubling up to `max` (fewer statements, and on PostgreSQL fewer
 * round trips, per row).
 */
function* pageSizes(max: number): Generator<number, never> {
  let size = Math.min(FIRST_PAGE, max);
  for (;;) {
    yield size;
    size = Math.min(size * 2, max);
  }
}
const FIRST_PAGE = 250;

/**
 * Keyset pages read one ahead: load(undefined, limit) for the first, then,
 * while the caller writes a page, the page after its `after` key (page sizes
 * growing to `max`); stops after a page with no `after`. Stopped early (a cut
 * download), it lets the statement in flight finish.
 */
async function* readAhead<B extends { after: K | undefined }, K>(max: number, load: (after: K | undefined, limit: number) => Promise<B>): AsyncGenerator<B> {
  const sizes = pageSizes(max);
  let next: Promise<B> | undefined = load(undefined, sizes.next().value);
  try {
    while (next) {
      const batch: B = await next;
      next = batch.after ? load(batch.after, sizes.next().value) : undefined;
      next?.catch(() => undefined); // awaited next turn, or in finally
      yield batch;
    }
  } finally {
    await next?.catch(() => undefined);
  }
}

/**
 * The key of a visit's `at` computed in Node: microseconds since the epoch,
 * as PostgreSQL's gocua_visit_at_us computes it (fraction rounded to the
 * microsecond; 0 when `at` does not parse). Used ONLY to order the rows of
 * one window (visitWindowsPg), whose bounds PostgreSQL's own key decided.
 */
export function visitAtUs(at: string): number {
  const m = /^(.*T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(at);
  if (!m) return 0;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return 0;
  return seconds * 1000 + (m[2] ? Math.round(Number(`0.${m[2]}`) * 1e6) : 0);
}

/** Of the most rows a window may hold (the page size), what it aims at. */
const WINDOW_AIM = 0.7;

/**
 * PostgreSQL: the visits in (key, id) order WITHOUT an ORDER BY on the key.
 * Ordering by gocua_visit_at_us(data) makes PostgreSQL compute it for every
 * row returned, even though records_visit_at already holds it (the sort key
 * is part of the scan's output): a jsonb parse and a timestamptz parse per
 * row, 97 % of a page's time in EXPLAIN ANALYZE (14.8 ms against 0.46 ms for
 * 1,000 rows). A RANGE condition on the key is an index condition, computed
 * for its bounds only. So the visits are read in windows of key values
 * [lo, hi) with no order and at most a page (pageSizes: 250 first, then
 * doubling) plus one row; Node sorts each window by (visitAtUs, id), the
 * same order as PostgreSQL's key; the width of the next window adapts to
 * land near WINDOW_AIM of a page. A window that comes back fuller than a
 * page is narrowed and read again; a single
 * key value holding more than that (a burst of visits at the same
 * microsecond) is read by id in pages (key fixed, so the index gives id
 * order without computing anything). Every window is one statement; memory
 * stays at one window.
 */
async function* visitWindowsPg(db: Db, q: PageQuery): AsyncGenerator<Visit[]> {
  const R = reportSql(db.dialect);
  const key = R.visitAt('v.data');
  const edge = async (dir: 'asc' | 'desc') => {
    const { rows } = await sql<{ k: string }>`
      select ${key}::text as k from records v where ${visitRows(db, q)} order by ${key} ${sql.raw(dir)}, v.id ${sql.raw(dir)} limit 1
    `.execute(db.kysely);
    return rows[0] === undefined ? undefined : Number(rows[0].k);
  };
  const first = await edge('asc');
  if (first === undefined) return;
  const end = (await edge('desc'))! + 1; // exclusive
  const window = (lo: number, hi: number, cap: number) =>
    sql<{ id: string; data: string }>`
      select v.id, v.data from records v
      where ${visitRows(db, q)} and ${key} >= ${lo} and ${key} < ${hi}
      limit ${cap + 1}
    `.execute(db.kysely);
  const sameKey = (k: number, afterId: string | undefined, cap: number) =>
    sql<{ id: string; data: string }>`
      select v.id, v.data from records v
      where ${visitRows(db, q)} and ${key} = ${k} ${afterId === undefined ? sql`` : sql`and v.id > ${afterId}`}
      order by v.id
      limit ${cap}
    `.execute(db.kysely);
  const byKey = (rows: { id: string; data: string }[]) =>
    rows
      .map((r) => {
        const v = JSON.parse(r.data) as Visit;
        return { v, k: visitAtUs(v.at) };
      })
      .sort((a, b) => a.k - b.k || (a.v.id < b.v.id ? -1 : a.v.id > b.v.id ? 1 : 0))
      .map((x) => x.v);

  const sizes = pageSizes(q.pageSize);
  let cap = sizes.next().value;
  let lo = first;
  // A first guess (an hour); each window then corrects it from what it found.
  let width = 3_600_000_000;
  while (lo < end) {
    const hi = Math.min(end, lo + width);
    const { rows } = await window(lo, hi, cap);
    if (rows.length > cap) {
      if (hi - lo > 1) {
        width = Math.max(1, Math.floor(((hi - lo) * cap * WINDOW_AIM) / rows.length / 2));
        continue;
      }
      // One key value with more rows than a page: page it by id.
      let afterId: string | undefined;
      for (;;) {
        const page = (await sameKey(lo, afterId, cap)).rows;
        if (page.length > 0) yield page.map((r) => JSON.parse(r.data) as Visit);
        if (page.length < cap) break;
        afterId = page[page.length - 1]!.id;
        cap = sizes.next().value;
      }
    } else if (rows.length > 0) {
      yield byKey(rows);
    }
    const aim = cap * WINDOW_AIM;
    width = Math.max(1, Math.round((hi - lo) * Math.min(8, aim / Math.max(rows.length, aim / 8))));
    lo = hi;
    if (rows.length > 0) {
      const grown = sizes.next().value;
      width = Math.round((width * grown) / cap);
      cap = grown;
    }
  }
}

/**
 * SQLite: the visits in (key, id) order in keyset pages. Only the visit rows
 * are read; nothing here parses a document per row on the database side: the
 * key is read from the index and the key of the LAST row alone is computed
 * afterwards, for the next page's keyset condition. (SQLite takes the key
 * of an ORDER BY from records_visit_at; PostgreSQL does not: visitWindowsPg.)
 */
async function* visitKeysetPages(db: Db, q: PageQuery): AsyncGenerator<Visit[]> {
  const R = reportSql(db.dialect);
  const key = R.visitAt('v.data');
  type Key = { k: string | number; id: string };
  const page = (after: Key | undefined, limit: number) =>
    sql<{ id: string; data: string }>`
      select v.id, v.data
      from records v
      where ${visitRows(db, q)}
        ${after ? keyAfter(db.dialect, key, 'v.id', after) : sql``}
      order by ${key}, v.id
      limit ${limit}
    `.execute(db.kysely);
  const lastVisitKey = async (id: string) =>
    (await sql<{ k: string | number }>`select ${key} as k from records v where v.entity = ${sql.lit('visit')} and v.id = ${id}`.execute(db.kysely)).rows[0]!.k;
  const sizes = pageSizes(q.pageSize);
  let after: Key | undefined;
  for (;;) {
    const limit = sizes.next().value;
    const { rows } = await page(after, limit);
    if (rows.length > 0) yield rows.map((r) => JSON.parse(r.data) as Visit);
    if (rows.length < limit) return;
    const lastId = rows[rows.length - 1]!.id;
    after = { k: await lastVisitKey(lastId), id: lastId };
  }
}

/**
 * The visits dataset: the visit rows in (at in UTC, id) order
 * (visitWindowsPg on PostgreSQL, visitKeysetPages on SQLite), then per page
 * and in bulk, side by side, their households and case statuses (the
 * volunteer names once). With a group filter the visits are narrowed in SQL
 * to that group's households (their current group, tombstones included).
 * One page read ahead: while this page's rows are written, the next page and
 * its lookups are being read (on PostgreSQL by another process, on the other
 * core).
 */
async function* visitPages(db: Db, q: PageQuery): AsyncGenerator<CellRow[]> {
  const names = await volunteerNames(db, q.ward);
  const source = db.dialect === 'postgres' ? visitWindowsPg(db, q) : visitKeysetPages(db, q);
  const load = async () => {
    const next = await source.next();
    if (next.done) return undefined;
    const visits = next.value;
    const [homes, statuses] = await Promise.all([
      householdsById(db, q.ward, [...new Set(visits.flatMap((v) => (v.householdId ? [v.householdId] : [])))]),
      caseStatuses(db, q.ward, visits),
    ]);
    return { visits, homes, statuses };
  };
  let next: ReturnType<typeof load> | undefined = load();
  try {
    for (;;) {
      const batch: Awaited<ReturnType<typeof load>> = await next;
      if (!batch) return;
      next = load();
      next.catch(() => undefined); // awaited next turn, or in finally
      const { visits, homes, statuses } = batch;
      yield visits.map((v) => {
        const home = v.householdId ? homes.get(v.householdId) : undefined;
        return visitCells(v, home?.h ?? null, home?.deleted ?? false, names.get(v.volunteerId) ?? null, statuses.get(v.id));
      });
    }
  } finally {
    // Stopped early (a cut download): let the statements in flight finish.
    await next?.catch(() => undefined);
    await source.return(undefined);
  }
}

/**
 * The case status of each escalated visit of a page, by visit id: one lookup
 * by primary key for the page (a case's id is caseIdForVisit(visit id)).
 */
async function caseStatuses(db: Db, ward: string, visits: Visit[]): Promise<Map<string, string>> {
  const ids = new Map(visits.filter((v) => v.escalate).map((v) => [caseIdForVisit(v.id), v.id]));
  if (ids.size === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('records')
    .select(['id', 'data'])
    .where('entity', '=', 'case')
    .where('id', 'in', [...ids.keys()])
    .where('ward_code', '=', ward)
    .execute();
  return new Map(rows.map((r) => [ids.get(r.id)!, (JSON.parse(r.data) as Case).status]));
}

/**
 * The non-deleted visits (in range) of some households, as the WHERE of a
 * statement over `records v` (the page's households by records_visit_household).
 */
/**
 * FROM … WHERE over `records <alias>`: the non-deleted records of one entity
 * of the ward whose householdId is one of a page's households, by
 * records_person_household / records_visit_household.
 *   - SQLite: `householdId in (…)`, served by the index.
 *   - PostgreSQL: one index lookup per household, written as a LATERAL
 *     subquery over the array (OFFSET 0 keeps it from being flattened into a
 *     join): with `in (…)` of a page's 1,000 ids the planner chose a scan of
 *     the ward (or of the table) that parsed every record's jsonb, per page
 *     (households: 405 rows/s at 100k).
 */
const ofHouseholds = (db: Db, ward: string, entity: 'visit' | 'person', alias: 'v' | 'p', householdIds: string[], extra: RawBuilder<unknown> = sql``) => {
  const own = sql`${sql.ref(`${alias}.ward_code`)} = ${ward} and ${sql.ref(`${alias}.entity`)} = ${sql.lit(entity)} and ${notDeleted(alias)} ${extra}`;
  const hid = householdRef(db.dialect, `${alias}.data`);
  return db.dialect === 'postgres'
    ? sql`unnest(${householdIds}::text[]) as page_household(id)
        cross join lateral (select ${sql.ref(alias)}.* from records ${sql.ref(alias)} where ${own} and ${hid} = page_household.id offset 0) as ${sql.ref(alias)}`
    : sql`records ${sql.ref(alias)} where ${own} and ${hid} in (${sql.join(householdIds)})`;
};

/** The non-deleted visits (in range) of some households: ofHouseholds for visits. */
const visitsOf = (db: Db, q: PageQuery, householdIds: string[]) => {
  const R = reportSql(db.dialect);
  return ofHouseholds(db, q.ward, 'visit', 'v', householdIds, rangeFilter(R, R.visitAt('v.data'), q.range));
};

/**
 * A visit key (visitAtKey) as ms since the epoch, or undefined when the visit's
 * `at` did not parse (SQLite '' or PostgreSQL 0, see migration 2; the shared
 * schema makes it a valid instant, so this is for old or foreign rows).
 */
function keyMs(dialect: Db['dialect'], key: string | number | null): number | undefined {
  if (key === null || key === '' || Number(key) === 0) return undefined;
  if (dialect === 'postgres') return Math.floor(Number(key) / 1000);
  const ms = Date.parse(String(key));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The document of each visit selected once, with its key: on PostgreSQL a
 * MATERIALIZED CTE, so the jsonb cast is not repeated in every expression
 * over it (reports/sql.ts). Columns: id, j (the document), k (visitAtKey).
 */
const visitDocs = (db: Db, q: PageQuery, householdIds: string[]) => {
  const R = reportSql(db.dialect);
  return sql`vd as ${R.materialized} (
    select v.id, ${R.doc('v.data')} as j, ${R.visitAt('v.data')} as k
    from ${visitsOf(db, q, householdIds)}
  )`;
};

interface HouseholdVisitFacts {
  visits: number;
  /** The latest visit (by time in UTC, then id): its instant (undefined when it did not parse) and outcome. */
  lastMs: number | undefined;
  lastOutcome: string;
}

/**
 * Per household of a page: its visits (in range), and the outcome and
 * instant of the latest, computed in SQL (one GROUP BY; no visit document
 * leaves the database). The latest is max() of latestOutcomeKey, a text that
 * sorts like (time in UTC, id) and ends in '|<outcome>', as the reports do.
 */
async function householdVisitFacts(db: Db, q: PageQuery, householdIds: string[]): Promise<Map<string, HouseholdVisitFacts>> {
  const out = new Map<string, HouseholdVisitFacts>();
  if (householdIds.length === 0) return out;
  const R = reportSql(db.dialect);
  const { rows } = await sql<{ hid: string; n: number | string; latest: string }>`
    with ${visitDocs(db, q, householdIds)},
    f as (select ${R.text('vd.j', ['householdId'])} as hid, ${R.latestOutcomeKey('vd.k', 'vd.id', R.text('vd.j', ['outcome']))} as latest from vd)
    select hid, count(*) as n, ${R.maxBytes('latest')} as latest from f group by hid
  `.execute(db.kysely);
  for (const r of rows) {
    const parts = r.latest.split('|');
    out.set(r.hid, { visits: Number(r.n), lastMs: keyMs(db.dialect, parts[0]!.replace(/^0+/, '')), lastOutcome: parts[parts.length - 1]! });
  }
  return out;
}

/**
 * Per person named in a visit (in range) of a page's households: the first
 * and last visit's instants, computed in SQL (one GROUP BY over the visits'
 * people entries). A visit whose `at` did not parse counts for neither.
 */
async function personVisitSpans(db: Db, q: PageQuery, householdIds: string[]): Promise<Map<string, { first: number; last: number }>> {
  const out = new Map<string, { first: number; last: number }>();
  if (householdIds.length === 0) return out;
  const R = reportSql(db.dialect);
  const unparsed = db.dialect === 'postgres' ? sql`0` : sql`''`;
  const entries = db.dialect === 'postgres' ? sql`jsonb_array_elements(vd.j -> 'people')` : sql`json_each(vd.j, '$.people')`;
  const { rows } = await sql<{ pid: string; first: string | number; last: string | number }>`
    with ${visitDocs(db, q, householdIds)}
    select ${R.text('e.value', ['personId'])} as pid, min(vd.k) as first, max(vd.k) as last
    from vd, ${entries} as e${db.dialect === 'postgres' ? sql`(value)` : sql``}
    where vd.k <> ${unparsed} and ${R.text('e.value', ['personId'])} is not null
    group by 1
  `.execute(db.kysely);
  for (const r of rows) {
    const first = keyMs(db.dialect, r.first);
    const last = keyMs(db.dialect, r.last);
    if (first !== undefined && last !== undefined) out.set(r.pid, { first, last });
  }
  return out;
}

// ------------------------------------------------------------------ people

/** A live household's id, group and address, as the people and households datasets show them. */
const householdCells = (h: Household): CellRow => ({
  household_id: h.id,
  group: h.group,
  house_number: h.address.houseNumber,
  lane: h.address.lane ?? '',
  sub_lane: h.address.subLane ?? '',
  street: h.address.street,
});

function personCells(p: Person, h: Household, visits: { first?: number; last?: number } | undefined, year: number): CellRow {
  const cells: CellRow = {
    person_id: p.id,
    ...householdCells(h),
    full_name: p.fullName,
    birth_year: p.birthYear ?? null,
    age_band: p.birthYear === undefined ? '' : ageBand(year - p.birthYear),
    priority: personPriority(p, h, year).join(LIST_SEPARATOR),
    first_visit_on: visits?.first === undefined ? '' : hanoiDay(visits.first),
    last_visit_on: visits?.last === undefined ? '' : hanoiDay(visits.last),
  };
  for (const platform of PLATFORMS) {
    const checklist = p.platforms[platform];
    const steps = checklist.steps as Record<string, { status: string; blocker?: string }>;
    for (const step of PLATFORM_STEPS[platform]) {
      cells[`${platform}_${step}`] = steps[step]?.status ?? '';
      cells[`${platform}_${step}_blocker`] = steps[step]?.blocker ?? '';
    }
    cells[`${platform}_independent`] = yesNo(checklist.independent);
  }
  return cells;
}

/**
 * The people pages, shaped like the visits pages: only the person rows in SQL
 * (in (householdId, id) order from records_person_household; with a group
 * filter, narrowed to that group's live households), then per page and in bulk
 * their households (a person whose household is deleted or gone is left out,
 * as the join did) and each person's first and last visit among those
 * households' visits (personVisitSpans: in SQL); one page read ahead. The
 * keyset key is the householdId of the last person's document, the very
 * value the index holds.
 */
async function* peoplePages(db: Db, q: PageQuery): AsyncGenerator<CellRow[]> {
  const hid = householdRef(db.dialect, 'p.data');
  type Key = { k: string; id: string };
  const page = (after: Key | undefined, limit: number) =>
    sql<{ id: string; data: string }>`
      select p.id, p.data
      from records p
      where ${personRows(db, q)}
        ${after ? keyAfter(db.dialect, hid, 'p.id', after) : sql``}
      order by ${hid}, p.id
      limit ${limit}
    `.execute(db.kysely);
  const load = async (after: Key | undefined, limit: number): Promise<{ people: Person[]; homes: Awaited<ReturnType<typeof householdsById>>; spans: Awaited<ReturnType<typeof personVisitSpans>>; after: Key | undefined }> => {
    const { rows } = await page(after, limit);
    const people = rows.map((r) => JSON.parse(r.data) as Person);
    const ids = [...new Set(people.map((p) => p.householdId))];
    const [homes, spans] = await Promise.all([householdsById(db, q.ward, ids), personVisitSpans(db, q, ids)]);
    const last = rows.length === limit ? { k: people[people.length - 1]!.householdId, id: rows[rows.length - 1]!.id } : undefined;
    return { people, homes, spans, after: last };
  };
  for await (const batch of readAhead(q.pageSize, load)) {
    if (batch.people.length === 0) return;
    const rows: CellRow[] = [];
    for (const p of batch.people) {
      const home = batch.homes.get(p.householdId);
      const h = home && !home.deleted ? live(home.h) : undefined;
      if (h) rows.push(personCells(p, h, batch.spans.get(p.id), q.year));
    }
    yield rows;
  }
}

// -------------------------------------------------------------- households

/**
 * The households pages, in (group, id) order (records_household_group): per
 * page, in two statements run side by side, the visit facts of its
 * households in SQL (householdVisitFacts) and their people, parsed here for
 * the priority rule (shared/priority.ts: one place; people are few per
 * household). One page read ahead, like the visits and people.
 */
async function* householdPages(db: Db, q: PageQuery): AsyncGenerator<CellRow[]> {
  type Key = { group: string; id: string };
  const load = async (after: Key | undefined, limit: number) => {
    const { rows } = await sql<{ id: string; group_code: string; data: string }>`
      select h.id, h.group_code, h.data
      from records h
      where ${householdRows(q)}
        ${after ? sql`and (h.group_code, h.id) > (${after.group}, ${after.id})` : sql``}
      order by h.group_code, h.id
      limit ${limit}
    `.execute(db.kysely);
    const ids = rows.map((r) => r.id);
    const [visits, people] = await Promise.all([
      householdVisitFacts(db, q, ids),
      ids.length === 0
        ? { rows: [] }
        : sql<{ data: string }>`
            select p.data from ${ofHouseholds(db, q.ward, 'person', 'p', ids)}
          `.execute(db.kysely),
    ]);
    const households = rows.map((r) => JSON.parse(r.data) as Household);
    const byId = new Map(households.map((h) => [h.id, h]));
    const counts = new Map<string, { people: number; priority: number }>();
    for (const r of people.rows) {
      const p = JSON.parse(r.data) as Person;
      const c = counts.get(p.householdId) ?? { people: 0, priority: 0 };
      c.people += 1;
      if (personPriority(p, byId.get(p.householdId), q.year).length > 0) c.priority += 1;
      counts.set(p.householdId, c);
    }
    const last = rows.length === limit ? rows[rows.length - 1]! : undefined;
    return { households, visits, counts, after: last ? { group: last.group_code, id: last.id } : undefined };
  };
  for await (const batch of readAhead(q.pageSize, load)) {
    if (batch.households.length === 0) return;
    yield batch.households.map((h) => {
      const f = batch.visits.get(h.id);
      const c = batch.counts.get(h.id);
      return {
        ...householdCells(h),
        consent: yesNo(h.consent.given),
        people: c?.people ?? 0,
        priority_people: c?.priority ?? 0,
        visits: f?.visits ?? 0,
        last_outcome: f?.lastOutcome ?? '',
        last_visit_on: f?.lastMs === undefined ? '' : hanoiDay(f.lastMs),
      };
    });
  }
}

// ------------------------------------------------------------------- cases

/**
 * Cases in id order, a page at a time (the ward's cases are few: one per
 * escalated visit). The day filter is on the case's opening instant, applied
 * to the page in Node (createdAt carries the device's offset, so its text does
 * not sort by time); a page may then yield fewer rows, or none.
 */
async function* casePages(db: Db, q: PageQuery): AsyncGenerator<CellRow[]> {
  const R = reportSql(db.dialect);
  let after: string | undefined;
  for (;;) {
    const { rows } = await sql<{ id: string; data: string; h_data: string | null; h_deleted: number | null; assignee_name: string | null }>`
      select c.id, c.data, h.data as h_data, h.deleted as h_deleted, u.display_name as assignee_name
      from records c
      left join records h on h.entity = 'household' and h.id = ${householdRef(db.dialect, 'c.data')} and h.ward_code = c.ward_code
      left join users u on u.id = ${R.text(R.doc('c.data'), ['assigneeId'])} and u.ward_code = c.ward_code
      where ${caseRows(q)}
        ${after !== undefined ? sql`and c.id > ${after}` : sql``}
      order by c.id
      limit ${q.pageSize}
    `.execute(db.kysely);
    if (rows.length === 0) return;
    const out: CellRow[] = [];
    for (const r of rows) {
      const c = JSON.parse(r.data) as Case;
      const opened = Date.parse(c.createdAt);
      if (q.range.from && !(opened >= q.range.from.getTime())) continue;
      if (q.range.to && !(opened < q.range.to.getTime())) continue;
      const h = Number(r.h_deleted) === 1 || r.h_data === null ? undefined : (JSON.parse(r.h_data) as Household);
      out.push({
        case_id: c.id,
        visit_id: c.visitId,
        opened_at: c.createdAt,
        group: c.group ?? '',
        walk_in: yesNo(c.householdId === undefined),
        house_number: h?.address.houseNumber ?? '',
        lane: h?.address.lane ?? '',
        sub_lane: h?.address.subLane ?? '',
        street: h?.address.street ?? '',
        reason: c.reason,
        status: c.status,
        assignee: c.assigneeId === undefined ? '' : (r.assignee_name ?? ''),
        resolved_at: c.resolvedAt ?? '',
        detail: c.detail ?? '',
        resolution: c.resolution ?? '',
      });
    }
    yield out;
    if (rows.length < q.pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

export const DATASET_PAGES: Record<Dataset, (db: Db, q: PageQuery) => AsyncGenerator<CellRow[]>> = {
  visits: visitPages,
  people: peoplePages,
  households: householdPages,
  cases: casePages,
};
