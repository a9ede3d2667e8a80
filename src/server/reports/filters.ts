// The console's report filters, in one place: which ward a request may read,
// and which visits a filtered report counts.
//
//   - A supervisor reads their own ward; naming another (?ward=) is 403.
//   - The city reads any ward, and must name it (400 otherwise).
//   - Every filter narrows the VISITS: `from`/`to` are inclusive Hanoi days
//     on the visit's `at` (converted to UTC, the same key as the exports and
//     the records_visit_at index), `group` is the household's CURRENT group
//     (a visit's group_code follows its household when it moves; walk-ins have
//     none, so a group filter leaves them out), `volunteer` the visit's
//     volunteerId, `channel` door or literacy_point.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ActivityQuery } from '../../shared/console';
import type { DB } from '../db';
import { ApiError, forbidden } from '../errors';
import { hanoiRange } from '../exports/hanoi';
import type { AuthUser } from '../users';
import type { ReportSql } from './sql';

/** The roles that read ward reports in the console. */
export const WARD_REPORT_ROLES = ['supervisor', 'city'] as const;

/** The ward this user may read for a report that names `ward` (or not). */
export function reportWard(user: AuthUser, ward: string | undefined): string {
  if (user.role === 'city') {
    if (ward === undefined) throw new ApiError(400, 'invalid_request', 'Name the ward: ?ward=<code>', { issues: [{ path: 'ward', message: 'required' }] });
    return ward;
  }
  if (ward !== undefined && ward !== user.wardCode) throw forbidden('You may read only your own ward');
  return user.wardCode;
}

export type VisitFilters = Pick<ActivityQuery, 'group' | 'from' | 'to' | 'volunteer' | 'channel'>;

/** `and …` conditions on `records r` (a visit row) for the filters; empty when none. */
export function visitConditions(R: ReportSql, f: VisitFilters): RawBuilder<unknown> {
  const range = hanoiRange(f.from, f.to);
  const key = R.visitAt('r.data');
  const parts: RawBuilder<unknown>[] = [];
  if (range.from) parts.push(sql`and ${key} >= ${R.atKeyOf(range.from)}`);
  if (range.to) parts.push(sql`and ${key} < ${R.atKeyOf(range.to)}`);
  if (f.group !== undefined) parts.push(sql`and r.group_code = ${f.group}`);
  if (f.volunteer !== undefined) parts.push(sql`and ${R.text(R.doc('r.data'), ['volunteerId'])} = ${f.volunteer}`);
  if (f.channel !== undefined) parts.push(sql`and ${R.text(R.doc('r.data'), ['channel'])} = ${f.channel}`);
  return parts.length ? sql.join(parts, sql` `) : sql``;
}

/** Live visits of the ward that pass the filters: their id, current group and document. */
export async function filteredVisits(trx: Kysely<DB>, R: ReportSql, ward: string, f: VisitFilters) {
  const { rows } = await sql<{ id: string; group_code: string | null; data: string }>`
    select r.id, r.group_code, r.data from records r
    where r.ward_code = ${ward} and r.entity = 'visit' and r.deleted = 0 ${visitConditions(R, f)}
  `.execute(trx);
  return rows;
}
