// Which records of their ward a user may see and change: the one scope rule,
// and the role predicates every route asks (who sees which ward).
//
//   - A supervisor: every record of the ward.
//   - A responder (the ward's tech response team): no household, person or
//     visit records of their own; what a case points at is opened to them by
//     the cases module (RESPONDER_ENTITIES). Until then, pull sends them
//     nothing and push refuses their records (forbidden, per mutation).
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
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Entity } from '../shared/schemas';
import type { DB, RecordsTable } from './db';
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

/**
 * The entities a responder may push and pull. Empty for now: the cases
 * engineer opens 'case' (and what a case points at) here and in scopeFilter.
 */
export const RESPONDER_ENTITIES: ReadonlySet<Entity> = new Set<Entity>();

/** May this user push a mutation of `entity` at all? (forbidden per mutation otherwise) */
export function mayWriteEntity(user: Who, entity: Entity): boolean {
  if (syncsRecords(user)) return true;
  return user.role === 'responder' && RESPONDER_ENTITIES.has(entity);
}

export function inScope(user: AuthUser, row: Pick<RecordsTable, 'created_by' | 'group_code'>): boolean {
  if (seesWholeWard(user)) return true;
  if (!syncsRecords(user)) return false;
  return row.group_code === null ? row.created_by === user.id : user.groups.includes(row.group_code);
}

/** inScope as a WHERE condition on `records`, or undefined when the user sees the whole ward. */
export function scopeFilter(user: AuthUser): ((eb: ExpressionBuilder<DB, 'records'>) => Expression<SqlBool>) | undefined {
  if (seesWholeWard(user)) return undefined;
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
