// The dialect differences of the report queries, in one place.
//
// Records keep their JSON in a text column on both databases (db.ts). Reading a
// field out of it:
//   - SQLite: json_extract(data, '$.a.b') on the text (SQLite caches the parse
//     of the last few documents per statement, so several fields of one row
//     cost one parse). JSON true comes back as integer 1.
//   - PostgreSQL: cast once to jsonb, then #>> (text) / #> (jsonb) with a path
//     array. Report queries cast in a MATERIALIZED CTE (column `j`) so a row
//     with thirty fields read is still parsed once; without MATERIALIZED the
//     planner inlines the CTE and repeats the cast in every expression.
//
// Path parts are literal keys (checked against IDENT, never user input) or
// column references. Checklists are walked with entries() (json_each /
// jsonb_each): person -> platforms -> steps as a lateral join, so one GROUP BY
// covers every platform step and each person's document is parsed once.
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../db';

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A literal JSON key, or { ref: 'k.platform' } for a column holding the key. */
export type PathPart = string | { ref: string };

function checkedKey(part: string): string {
  if (!IDENT.test(part)) throw new Error(`Not a JSON key the report SQL accepts: ${part}`);
  return part;
}

/**
 * The sort key of a visit's `at`, normalised to UTC so '09:30+07:00' and
 * '02:30Z' compare equal. MUST stay textually identical to the expression of
 * the records_visit_at index (migration 2) or the export's keyset pages stop
 * using it:
 *   - SQLite: text 'YYYY-MM-DDTHH:MM:SS.SSSZ' ('' when unparseable);
 *   - PostgreSQL: bigint microseconds since the epoch, from the immutable
 *     function gocua_visit_at_us (0 when unparseable; see migration 2).
 */
export function visitAtKey(dialect: Dialect, dataColumn: string): RawBuilder<string | number> {
  return dialect === 'sqlite'
    ? sql<string>`coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(${sql.ref(dataColumn)}, '$.at')), '')`
    : sql<number>`gocua_visit_at_us(${sql.ref(dataColumn)})`;
}

/** The visitAtKey value of an instant, for range filters. */
function atKeyOf(dialect: Dialect, instant: Date): string | number {
  return dialect === 'sqlite' ? instant.toISOString() : instant.getTime() * 1000;
}

/** A column name holding a document, or an expression from doc(). */
export type Doc = string | RawBuilder<unknown>;
const docExpr = (doc: Doc) => (typeof doc === 'string' ? sql.ref(doc) : doc);

export interface ReportSql {
  dialect: Dialect;
  /** The record's JSON document to select AS j: the text column on SQLite, jsonb on PostgreSQL. */
  doc(column: string): RawBuilder<unknown>;
  /** MATERIALIZED on PostgreSQL (parse the JSON once per row), nothing on SQLite. */
  materialized: RawBuilder<unknown>;
  /**
   * Ends a subquery that selects doc() so PostgreSQL does not inline it (and
   * repeat the jsonb cast in every expression over it): OFFSET 0. Nothing on SQLite.
   */
  noInline: RawBuilder<unknown>;
  /**
   * A JSON field as text (strings unquoted); null when absent. `doc` is a
   * column holding doc() (e.g. 'pj.j'), or doc('r.data') itself.
   */
  text(doc: Doc, path: PathPart[]): RawBuilder<string | null>;
  /** A JSON field as an integer; null when absent. */
  int(doc: Doc, path: PathPart[]): RawBuilder<number | null>;
  /** A condition: the JSON field is boolean true. */
  isTrue(doc: Doc, path: PathPart[]): RawBuilder<boolean>;
  /**
   * A table function over the entries of a JSON object, for a FROM clause:
   * rows (key, value) with value a document again (json_each / jsonb_each).
   * This is the lateral that visits every platform, then every step, of a
   * checklist while the person's document is parsed once.
   */
  entries(doc: Doc, path: PathPart[]): RawBuilder<unknown>;
  /**
   * A text that sorts like (visitAt key, id) and ends in '|<outcome>', so
   * max() over a household's visits yields its latest visit's outcome without
   * a join or a window (see summary.ts). PostgreSQL compares it COLLATE "C".
   */
  latestOutcomeKey(key: string, id: string, outcome: RawBuilder<unknown>): RawBuilder<string>;
  /** max() of latestOutcomeKey values, byte-wise. */
  maxBytes(expr: string): RawBuilder<string>;
  /** See visitAtKey. */
  visitAt(dataColumn: string): RawBuilder<string | number>;
  atKeyOf(instant: Date): string | number;
}

function sqlitePath(path: PathPart[]): RawBuilder<string> {
  // '$.a.b' as one literal when every part is a key; otherwise '$.a.' || k.platform || ...
  const pieces: RawBuilder<unknown>[] = [];
  let literal = '$';
  for (const part of path) {
    if (typeof part === 'string') literal += `.${checkedKey(part)}`;
    else {
      pieces.push(sql.lit(`${literal}.`), sql.ref(part.ref));
      literal = '';
    }
  }
  if (literal) pieces.push(sql.lit(literal));
  return sql<string>`${sql.join(pieces, sql` || `)}`;
}

function pgPath(path: PathPart[]): RawBuilder<string[]> {
  const items = path.map((p) => (typeof p === 'string' ? sql.lit(checkedKey(p)) : sql.ref(p.ref)));
  return sql<string[]>`array[${sql.join(items)}]::text[]`;
}

export function reportSql(dialect: Dialect): ReportSql {
  if (dialect === 'sqlite') {
    return {
      dialect,
      doc: (column) => sql.ref(column),
      materialized: sql``,
      noInline: sql``,
      text: (doc, path) => sql`json_extract(${docExpr(doc)}, ${sqlitePath(path)})`,
      int: (doc, path) => sql`json_extract(${docExpr(doc)}, ${sqlitePath(path)})`,
      isTrue: (doc, path) => sql`(json_extract(${docExpr(doc)}, ${sqlitePath(path)}) = 1)`,
      entries: (doc, path) => sql`json_each(${docExpr(doc)}, ${sqlitePath(path)})`,
      // key is 24 characters, or '' when `at` was unreadable: left-pad to 24.
      latestOutcomeKey: (key, id, outcome) =>
        sql`substr('000000000000000000000000' || ${sql.ref(key)}, -24, 24) || '|' || ${sql.ref(id)} || '|' || coalesce(${outcome}, '')`,
      maxBytes: (expr) => sql`max(${sql.ref(expr)})`,
      visitAt: (column) => visitAtKey(dialect, column),
      atKeyOf: (instant) => atKeyOf(dialect, instant),
    };
  }
  return {
    dialect,
    doc: (column) => sql`(${sql.ref(column)})::jsonb`,
    materialized: sql`materialized`,
    noInline: sql`offset 0`,
    text: (doc, path) => sql`(${docExpr(doc)} #>> ${pgPath(path)})`,
    int: (doc, path) => sql`((${docExpr(doc)} #>> ${pgPath(path)})::numeric)::bigint`,
    isTrue: (doc, path) => sql`((${docExpr(doc)} #> ${pgPath(path)}) = 'true'::jsonb)`,
    entries: (doc, path) => sql`jsonb_each(${docExpr(doc)} #> ${pgPath(path)})`,
    // key is a bigint of microseconds (16 digits until the year 2286): pad to 20.
    latestOutcomeKey: (key, id, outcome) =>
      sql`lpad(${sql.ref(key)}::text, 20, '0') || '|' || ${sql.ref(id)} || '|' || coalesce(${outcome}, '')`,
    maxBytes: (expr) => sql`max(${sql.ref(expr)} collate "C")`,
    visitAt: (column) => visitAtKey(dialect, column),
    atKeyOf: (instant) => atKeyOf(dialect, instant),
  };
}

/**
 * A person's or visit's householdId, as text. MUST stay textually identical
 * to the expression of the records_person_household and
 * records_visit_household indexes (migration 4), or the exports' bulk
 * lookups stop using them.
 */
export function householdRef(dialect: Dialect, dataColumn: string): RawBuilder<string | null> {
  return dialect === 'sqlite'
    ? sql<string>`json_extract(${sql.ref(dataColumn)}, '$.householdId')`
    : sql<string>`(${sql.ref(dataColumn)}::jsonb ->> 'householdId')`;
}
