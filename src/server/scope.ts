// Which records of their ward a user may see and change: the one scope rule,
// and the role predicates every route asks (who sees which ward).
//
//   - A supervisor: every record of the ward.
//   - A responder (the ward's tech response team): the ward's escalation cases
//     and the records a case points at: its visit, its household and that
//     household's people. Nothing else, and they write only cases (cases.ts).
//   - The city: every ward, read-only through reports and exports; no device
//     records (pull sends nothing, push is 403 forbidden).
//   - A volunteer: the records of their assigned groups, plus the records
//     WITHOUT a group that they created (walk-in visits at a literacy point).
//     Creating a grouped record gives no lasting right to it: when a household
//     moves to another group, or the volunteer loses the group, it leaves their
//     scope and their device is told to drop it (scope-exits.ts).
//
// The rule has two forms that must agree: inScope() for one row in JS (push:
// may this user change this record, or write under this household?) and
// scopeFilter() in SQL (pull: which records go to this user's device?).
// Every query and write also names the user's ward; push answers a record of
// another ward exactly as an unknown one, and checkMayChange() refuses one anyway.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Entity } from '../shared/schemas';
import type { DB, Dialect, RecordsTable } from './db';
import { Rejection } from './errors';
import type { AuthUser } from './users';

type Who = Pick<AuthUser, 'role' | 'wardCode'>;

/** The city: every ward (its users' ward code is wards.ts CITY_WARD, '*'). */
export function seesAllWards(user: Who): boolean {
  return user.role === 'city';
}

/** Supervisors see their whole ward: every record, every rejection and conflict. */
export function seesWholeWard(user: Who): boolean {
  return user.role === 'supervisor';
}

/** May read this ward's summary, exports and lists: its supervisor, or the city. */
export function readsWard(user: Who, wardCode: string): boolean {
  return seesAllWards(user) || (seesWholeWard(user) && user.wardCode === wardCode);
}

/** May change this ward's list of groups: its supervisor, or the city. */
export function managesWard(user: Who, wardCode: string): boolean {
  return readsWard(user, wardCode);
}

/** Belongs to this ward (any role of it), or is the city: may read the ward and its groups. */
export function knowsWard(user: Who, wardCode: string): boolean {
  return seesAllWards(user) || user.wardCode === wardCode;
}

/** Roles whose devices hold the ward's records and push them. */
export function syncsRecords(user: Who): boolean {
  return user.role === 'volunteer' || user.role === 'supervisor';
}

/** The entities a responder may push: cases only (what a case points at, they only read). */
export const RESPONDER_ENTITIES: ReadonlySet<Entity> = new Set<Entity>(['case']);

/** May this user push a mutation of `entity` at all? (forbidden per mutation otherwise) */
export function mayWriteEntity(user: Who, entity: Entity): boolean {
  if (syncsRecords(user)) return true;
  return user.role === 'responder' && RESPONDER_ENTITIES.has(entity);
}

/** A responder sees cases and what they point at, and writes only cases. */
export function isResponder(user: Who): boolean {
  return user.role === 'responder';
}

/** What the ward's cases point at: their visits and households (a household's people follow it). */
export interface CaseLinks {
  visitIds: ReadonlySet<string>;
  householdIds: ReadonlySet<string>;
}

type ScopedRow = Pick<RecordsTable, 'created_by' | 'group_code'> & Partial<Pick<RecordsTable, 'entity' | 'id' | 'data'>>;

/** The responder's rule for one row: a case, or a record one of `links` points at. */
function pointedAtByCase(row: ScopedRow, links: CaseLinks): boolean {
  if (row.id === undefined) return false;
  if (row.entity === 'visit') return links.visitIds.has(row.id);
  if (row.entity === 'household') return links.householdIds.has(row.id);
  if (row.entity === 'person' && row.data !== undefined) {
    const householdId = (JSON.parse(row.data) as { householdId?: unknown }).householdId;
    return typeof householdId === 'string' && links.householdIds.has(householdId);
  }
  return false;
}

/**
 * `links` matters only for a responder (loadCaseLinks); without it a responder
 * is in scope of cases alone, which is all push ever asks (they write only cases).
 */
export function inScope(user: AuthUser, row: ScopedRow, links?: CaseLinks): boolean {
  if (seesWholeWard(user)) return true;
  if (isResponder(user)) return row.entity === 'case' || (links !== undefined && pointedAtByCase(row, links));
  if (!syncsRecords(user)) return false;
  return row.group_code === null ? row.created_by === user.id : user.groups.includes(row.group_code);
}

/** The visits and households the cases of a ward point at: the JS form's input for a responder. */
export async function loadCaseLinks(db: Kysely<DB>, wardCode: string): Promise<CaseLinks> {
  const rows = await db.selectFrom('records').select('data').where('ward_code', '=', wardCode).where('entity', '=', 'case').execute();
  const visitIds = new Set<string>();
  const householdIds = new Set<string>();
  for (const r of rows) {
    const c = JSON.parse(r.data) as { visitId?: string; householdId?: string };
    if (c.visitId !== undefined) visitIds.add(c.visitId);
    if (c.householdId !== undefined) householdIds.add(c.householdId);
  }
  return { visitIds, householdIds };
}

/** Push's refusal of a write a role never makes: a responder writes only cases. */
export function checkMayWrite(user: AuthUser, entity: Entity): void {
  if (isResponder(user) && entity !== 'case') throw new Rejection('forbidden', 'The response team changes only cases');
}

/** A text field of a records row's JSON `data`, per dialect (column `table.data`). */
function jsonText(dialect: Dialect, table: string, key: 'visitId' | 'householdId') {
  return dialect === 'sqlite'
    ? sql<string | null>`json_extract(${sql.ref(`${table}.data`)}, ${`$.${key}`})`
    : sql<string | null>`(${sql.ref(`${table}.data`)}::json ->> ${key})`;
}

/** The responder's rule as SQL: the ward's cases, and rows whose id (or a person's householdId) a case of the ward names. */
function responderFilter(user: AuthUser, dialect: Dialect) {
  return (eb: ExpressionBuilder<DB, 'records'>): Expression<SqlBool> => {
    const named = (key: 'visitId' | 'householdId') =>
      eb
        .selectFrom('records as c')
        .select(jsonText(dialect, 'c', key).as('ref'))
        .where('c.ward_code', '=', user.wardCode)
        .where('c.entity', '=', 'case');
    return eb.or([
      eb('entity', '=', 'case'),
      eb.and([eb('entity', '=', 'visit'), eb('id', 'in', named('visitId'))]),
      eb.and([eb('entity', '=', 'household'), eb('id', 'in', named('householdId'))]),
      eb.and([eb('entity', '=', 'person'), eb(jsonText(dialect, 'records', 'householdId'), 'in', named('householdId'))]),
    ]);
  };
}

/**
 * inScope as a WHERE condition on `records`, or undefined when the user sees
 * the whole ward. A responder's condition reads the records' JSON, so it needs
 * the dialect.
 */
export function scopeFilter(user: AuthUser, dialect?: Dialect): ((eb: ExpressionBuilder<DB, 'records'>) => Expression<SqlBool>) | undefined {
  if (seesWholeWard(user)) return undefined;
  if (isResponder(user)) {
    if (dialect === undefined) throw new Error('scopeFilter needs the dialect for a responder');
    return responderFilter(user, dialect);
  }
  if (!syncsRecords(user)) return () => sql<SqlBool>`1 = 0`;
  return (eb) => {
    const ownWalkIns = eb.and([eb('group_code', 'is', null), eb('created_by', '=', user.id)]);
    return user.groups.length > 0 ? eb.or([eb('group_code', 'in', user.groups), ownWalkIns]) : ownWalkIns;
  };
}

/** Push's authorisation for a record the server already has: throws wrong_ward or forbidden. */
export function checkMayChange(user: AuthUser, row: Pick<RecordsTable, 'ward_code' | 'created_by' | 'group_code'>): void {
  if (row.ward_code !== user.wardCode) throw new Rejection('wrong_ward', 'This record belongs to another ward');
  if (!inScope(user, row)) throw new Rejection('forbidden', 'This record is outside your assigned groups');
}
