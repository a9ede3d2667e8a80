// Wards and their residential groups, as data (migration 6).
//
// A group's `code` is what records carry in `group`: push refuses a record
// whose group is not a group of its ward (unknown_group), so a typo can no
// longer quietly create a new group. Codes never change once used; a group
// that still has records or users cannot be removed (group_in_use).
//
// ensureWardGroups() is the forgiving path, for the admin CLI's add-user and
// for createUser() (and so for test fixtures): it creates a missing ward and
// the groups it names, and never removes anything. The city's users carry the
// ward code CITY_WARD ('*'), which is never a ward.
import type { Kysely } from 'kysely';
import type { Ward, WardGroup } from '../shared/wards';
import type { DB, Db, Dialect } from './db';
import { ApiError } from './errors';

/** The ward code of a city user: every ward, and none in particular. Never a row of `wards`. */
export const CITY_WARD = '*';

type Conn = Db | Kysely<DB>;
const k = (db: Conn): Kysely<DB> => ('kysely' in db ? db.kysely : db);

export class DuplicateWardError extends Error {}

/** Creates a missing ward (name = code) and each missing group (name = code), after the ward's last group. */
export async function ensureWardGroups(db: Conn, wardCode: string, groups: readonly string[], wardName?: string): Promise<void> {
  if (wardCode === CITY_WARD) return;
  const q = k(db);
  await q
    .insertInto('wards')
    .values({ code: wardCode, name: wardName ?? wardCode, target_independent: null, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
  const wanted = [...new Set(groups)];
  if (wanted.length === 0) return;
  const have = new Set((await q.selectFrom('ward_groups').select('code').where('ward_code', '=', wardCode).execute()).map((r) => r.code));
  const missing = wanted.filter((g) => !have.has(g));
  if (missing.length === 0) return;
  const last = await q
    .selectFrom('ward_groups')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('ward_code', '=', wardCode)
    .executeTakeFirst();
  let position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
  for (const code of missing) {
    await q
      .insertInto('ward_groups')
      .values({ ward_code: wardCode, code, name: code, target_households: null, position: position++ })
      .onConflict((oc) => oc.columns(['ward_code', 'code']).doNothing())
      .execute();
  }
}

/** Creates a ward; throws DuplicateWardError when the code is taken. */
export async function createWard(db: Conn, input: { code: string; name: string }, now = new Date()): Promise<void> {
  const inserted = await k(db)
    .insertInto('wards')
    .values({ code: input.code, name: input.name, target_independent: null, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst();
  if (!inserted) throw new DuplicateWardError(`ward ${input.code} exists`);
}

export async function wardExists(db: Conn, code: string): Promise<boolean> {
  return (await k(db).selectFrom('wards').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

/** The ward and its groups in their order, or undefined. */
export async function readWard(db: Conn, code: string): Promise<Ward | undefined> {
  const q = k(db);
  const ward = await q.selectFrom('wards').selectAll().where('code', '=', code).executeTakeFirst();
  if (!ward) return undefined;
  const groups = await q.selectFrom('ward_groups').selectAll().where('ward_code', '=', code).orderBy('position').orderBy('code').execute();
  return {
    code: ward.code,
    name: ward.name,
    targetIndependent: ward.target_independent === null ? null : Number(ward.target_independent),
    createdAt: ward.created_at,
    groups: groups.map((g) => ({ code: g.code, name: g.name, targetHouseholds: g.target_households === null ? null : Number(g.target_households) })),
  };
}

/** Every ward with its groups, by code. Two statements, whatever the number of wards. */
export async function listWards(db: Conn): Promise<Ward[]> {
  const q = k(db);
  const wards = await q.selectFrom('wards').selectAll().orderBy('code').execute();
  const groups = await q.selectFrom('ward_groups').selectAll().orderBy('ward_code').orderBy('position').orderBy('code').execute();
  const byWard = new Map<string, Ward['groups']>();
  for (const g of groups) {
    if (!byWard.has(g.ward_code)) byWard.set(g.ward_code, []);
    byWard.get(g.ward_code)!.push({ code: g.code, name: g.name, targetHouseholds: g.target_households === null ? null : Number(g.target_households) });
  }
  return wards.map((w) => ({
    code: w.code,
    name: w.name,
    targetIndependent: w.target_independent === null ? null : Number(w.target_independent),
    createdAt: w.created_at,
    groups: byWard.get(w.code) ?? [],
  }));
}

/** The codes among `groups` that are not groups of the ward. */
export async function unknownGroups(db: Conn, wardCode: string, groups: readonly string[]): Promise<string[]> {
  if (groups.length === 0) return [];
  const rows = await k(db).selectFrom('ward_groups').select('code').where('ward_code', '=', wardCode).where('code', 'in', [...new Set(groups)]).execute();
  const known = new Set(rows.map((r) => r.code));
  return groups.filter((g) => !known.has(g));
}

/**
 * Whether `group` is a group of the ward. With `share` (PostgreSQL only) the
 * group's row is locked FOR SHARE until commit: a push that writes into the
 * group holds it, so replaceWardGroups (which locks the ward's groups FOR
 * UPDATE, lockWardGroups) cannot remove the group under it.
 */
export async function isWardGroup(db: Conn, wardCode: string, group: string, share = false): Promise<boolean> {
  let q = k(db).selectFrom('ward_groups').select('code').where('ward_code', '=', wardCode).where('code', '=', group);
  if (share) q = q.forShare();
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * Locks the ward's groups' rows until commit (PostgreSQL; SQLite's BEGIN
 * IMMEDIATE has already serialised writers): waits for every push writing into
 * one of them (isWardGroup with share) to commit, and holds off new ones.
 */
export async function lockWardGroups(trx: Kysely<DB>, dialect: Dialect, wardCode: string): Promise<void> {
  if (dialect === 'postgres') await trx.selectFrom('ward_groups').select('code').where('ward_code', '=', wardCode).forUpdate().execute();
}

/**
 * Replaces the ward's list of groups with `groups`, in that order (names,
 * targets, positions). A group left out that still has a record (even a
 * tombstone: it carries the group) or a user is refused with 409
 * group_in_use, and nothing changes. Runs inside the caller's transaction,
 * which must hold the ward's groups (lockWardGroups) so that no push can write
 * into a group while it is being removed (pushes of a ward no longer hold its
 * counter while they write, push.ts step 3).
 */
export async function replaceWardGroups(trx: Kysely<DB>, wardCode: string, groups: readonly WardGroup[]): Promise<void> {
  const current = await trx.selectFrom('ward_groups').select('code').where('ward_code', '=', wardCode).execute();
  const keep = new Set(groups.map((g) => g.code));
  const removed = current.map((r) => r.code).filter((c) => !keep.has(c));
  if (removed.length > 0) {
    const inRecords = await trx
      .selectFrom('records')
      .select('group_code')
      .distinct()
      .where('ward_code', '=', wardCode)
      .where('group_code', 'in', removed)
      .execute();
    const users = await trx.selectFrom('users').select('groups').where('ward_code', '=', wardCode).execute();
    const inUse = new Set<string>(inRecords.map((r) => r.group_code!));
    for (const u of users) for (const g of JSON.parse(u.groups) as string[]) if (removed.includes(g)) inUse.add(g);
    if (inUse.size > 0) {
      const groupsInUse = removed.filter((c) => inUse.has(c));
      throw new ApiError(409, 'group_in_use', `These groups still have records or volunteers: ${groupsInUse.join(', ')}`, { groups: groupsInUse });
    }
    await trx.deleteFrom('ward_groups').where('ward_code', '=', wardCode).where('code', 'in', removed).execute();
  }
  for (const [position, g] of groups.entries()) {
    const row = { name: g.name, target_households: g.targetHouseholds ?? null, position };
    await trx
      .insertInto('ward_groups')
      .values({ ward_code: wardCode, code: g.code, ...row })
      .onConflict((oc) => oc.columns(['ward_code', 'code']).doUpdateSet(row))
      .execute();
  }
}
