// Which records of their ward a user may see and change: the one scope rule.
//
//   - A supervisor: every record of the ward.
//   - Anyone else: the records of their assigned groups, plus the records
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
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { DB, RecordsTable } from './db';
import { Rejection } from './errors';
import type { AuthUser } from './users';

/** Supervisors see their whole ward: every record, every rejection and conflict. */
export function seesWholeWard(user: AuthUser): boolean {
  return user.role === 'supervisor';
}

export function inScope(user: AuthUser, row: Pick<RecordsTable, 'created_by' | 'group_code'>): boolean {
  if (seesWholeWard(user)) return true;
  return row.group_code === null ? row.created_by === user.id : user.groups.includes(row.group_code);
}

/** inScope as a WHERE condition on `records`, or undefined when the user sees the whole ward. */
export function scopeFilter(user: AuthUser): ((eb: ExpressionBuilder<DB, 'records'>) => Expression<SqlBool>) | undefined {
  if (seesWholeWard(user)) return undefined;
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
