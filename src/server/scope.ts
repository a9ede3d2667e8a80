// Which records of their ward a user may see and change: the one scope rule.
//
//   - A supervisor: every record of the ward.
//   - Anyone else: the records of their assigned groups, plus every record
//     they created (a walk-in visit has no group; a volunteer moved to another
//     group still sees their own work).
//
// The rule has two forms that must agree: inScope() for one row in JS (push:
// may this user change this record?) and scopeFilter() in SQL (pull: which
// records go to this user's device?). Every query and write also names the
// user's ward; checkMayChange() refuses a stored record of another ward.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { DB, RecordsTable } from './db';
import { Rejection } from './errors';
import type { AuthUser } from './users';

/** Supervisors see their whole ward: every record, every rejection and conflict. */
export function seesWholeWard(user: AuthUser): boolean {
  return user.role === 'supervisor';
}

function inScope(user: AuthUser, row: Pick<RecordsTable, 'created_by' | 'group_code'>): boolean {
  return (
    seesWholeWard(user) ||
    row.created_by === user.id ||
    (row.group_code !== null && user.groups.includes(row.group_code))
  );
}

/** inScope as a WHERE condition on `records`, or undefined when the user sees the whole ward. */
export function scopeFilter(user: AuthUser): ((eb: ExpressionBuilder<DB, 'records'>) => Expression<SqlBool>) | undefined {
  if (seesWholeWard(user)) return undefined;
  return (eb) =>
    user.groups.length > 0
      ? eb.or([eb('group_code', 'in', user.groups), eb('created_by', '=', user.id)])
      : eb('created_by', '=', user.id);
}

/** Push's authorisation for a record the server already has: throws wrong_ward or forbidden. */
export function checkMayChange(user: AuthUser, row: Pick<RecordsTable, 'ward_code' | 'created_by' | 'group_code'>): void {
  if (row.ward_code !== user.wardCode) throw new Rejection('wrong_ward', 'This record belongs to another ward');
  if (!inScope(user, row)) throw new Rejection('forbidden', 'This record is outside your assigned groups');
}
