// Records that leave a user's scope, and how a pull tells their devices.
//
// The pull cursor is the ward's version counter (push.ts, pull.ts), so a record
// that simply stops matching a volunteer's scope would never reach their device
// again: its copy would stay there for ever. Each exit is therefore a row of
// `scope_exits` with a version from the same counter, and pull merges those rows
// with the records it sends, as changes { record: null, removed: "out_of_scope" }.
//
//   - A household moves group: its people, visits and cases move with it in the same
//     transaction (new versions), and each of the moved records gets an exit
//     row AT ITS NEW VERSION with from_group = the old group.
//   - A volunteer loses groups (usersChangedGroups, called by users.ts): one
//     exit row per record of each lost group, with fresh versions taken under
//     the ward-counter lock, user_id = that volunteer.
//
// An exit reaches a user when from_group is one of their groups or user_id is
// theirs, AND the record's current group is not in their scope: a household
// that moved back, or a group given back, is not wrongly removed (its record
// row comes down instead). A removal may reach a device that never had the
// record (e.g. after it re-pulls from cursor 0); dropping nothing is harmless.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { DB, Dialect, ScopeExitsTable } from './db';
import * as records from './records';
import { seesWholeWard } from './scope';
import type { AuthUser } from './users';

async function storeExits(trx: Kysely<DB>, exits: ScopeExitsTable[]): Promise<void> {
  for (let i = 0; i < exits.length; i += 500) await trx.insertInto('scope_exits').values(exits.slice(i, i + 500)).execute();
}

/**
 * After a household's group changed (its own row already written at
 * `householdVersion`): moves its people and visits to `toGroup` and records
 * the exits from `fromGroup`.
 */
export async function moveHousehold(tx: records.PushTx, householdId: string, fromGroup: string | null, toGroup: string, householdVersion: number): Promise<void> {
  const ward = tx.user.wardCode;
  const exit = (entity: string, id: string, version: number) => ({ ward_code: ward, version, entity, id, from_group: fromGroup, user_id: null });
  const exits = [exit('household', householdId, householdVersion)];
  for (const row of await records.householdChildren(tx, householdId)) {
    if (row.group_code === toGroup) continue;
    const data = JSON.parse(row.data) as Record<string, unknown>;
    // A case names its group in the record too (the queue filters by it).
    if (row.entity === 'case' && !row.deleted) data.group = toGroup;
    const version = await records.writeRecord(tx, row.entity as 'person' | 'visit' | 'case', data, toGroup, row);
    exits.push({ ...exit(row.entity, row.id, version), from_group: row.group_code });
  }
  await storeExits(tx.trx, exits.filter((e) => e.from_group !== null));
}

/**
 * Called by users.ts inside the transaction that changes a user's groups,
 * BEFORE the users row is updated: every record of a group the volunteer
 * loses gets an exit row for them. Supervisors see the whole ward and lose nothing.
 */
export async function usersChangedGroups(trx: Kysely<DB>, dialect: Dialect, userId: string, groups: readonly string[]): Promise<void> {
  const user = await trx.selectFrom('users').select(['ward_code', 'groups', 'role']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.role === 'supervisor') return;
  const lost = (JSON.parse(user.groups) as string[]).filter((g) => !groups.includes(g));
  if (lost.length === 0) return;
  let version = await records.lockWardCounter(trx, dialect, user.ward_code);
  const rows = await trx
    .selectFrom('records')
    .select(['entity', 'id', 'group_code'])
    .where('ward_code', '=', user.ward_code)
    .where('group_code', 'in', lost)
    .orderBy('version')
    .execute();
  if (rows.length === 0) return;
  await storeExits(
    trx,
    rows.map((r) => ({ ward_code: user.ward_code, version: ++version, entity: r.entity, id: r.id, from_group: null, user_id: userId })),
  );
  await records.saveWardCounter(trx, user.ward_code, version);
}

/** The exits a pull sends this user after `cursor`, in version order, at most `limit`; none for a supervisor. */
export async function exitsAfter(trx: Kysely<DB>, user: AuthUser, cursor: number, limit: number) {
  if (seesWholeWard(user)) return [];
  const reachesUser = (eb: ExpressionBuilder<DB, 'scope_exits'>): Expression<SqlBool> =>
    user.groups.length > 0 ? eb.or([eb('from_group', 'in', user.groups), eb('user_id', '=', user.id)]) : eb('user_id', '=', user.id);
  // Exits only ever name grouped records, so "still in scope" is "its current group is one of the user's".
  const stillInScope = sql<SqlBool>`exists (select 1 from records r where r.entity = scope_exits.entity and r.id = scope_exits.id
    and r.group_code in (${user.groups.length > 0 ? sql.join(user.groups) : sql`null`}))`;
  return trx
    .selectFrom('scope_exits')
    .select(['entity', 'id', 'version'])
    .where('ward_code', '=', user.wardCode)
    .where('version', '>', cursor)
    .where(reachesUser)
    .where(sql<SqlBool>`not ${stillInScope}`)
    .orderBy('version')
    .limit(limit)
    .execute();
}
