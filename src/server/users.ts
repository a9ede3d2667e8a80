// User accounts: shared by the HTTP routes and the admin CLI.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Role, UserProfile } from '../shared/schemas';
import { ROLES } from '../shared/schemas';
import { uuidv7 } from '../shared/ids';
import type { DB, Db, UsersTable } from './db';
import { assertStrongPassword } from './password-policy';
import { passwordHasher, type PasswordHasher } from './passwords';
import { usersChangedGroups } from './scope-exits';
import { CITY_WARD, ensureWardGroups } from './wards';

/** Usernames are compared lower-cased: "Lan" and "lan" are one account. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,64}$/, 'username: 2-64 letters a-z, digits, ".", "_" or "-"');
/** The shape only; what makes a password good enough is password-policy.ts's (400 weak_password). */
export const passwordSchema = z.string().max(200);
export const groupsSchema = z.array(z.string().trim().min(1).max(40)).max(100);
const wardSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .refine((w) => w !== CITY_WARD, `ward: "${CITY_WARD}" is the city's, not a ward`);

export interface AuthUser extends UserProfile {
  disabled: boolean;
}

export function toUser(row: UsersTable): AuthUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    wardCode: row.ward_code,
    groups: JSON.parse(row.groups) as string[],
    disabled: Boolean(row.disabled),
  };
}

export function profile(user: AuthUser): UserProfile {
  const { id, username, displayName, role, wardCode, groups } = user;
  return { id, username, displayName, role, wardCode, groups };
}

export interface NewUser {
  username: string;
  password: string;
  displayName?: string;
  role: Role;
  /** The user's ward. A city user has none: leave it out (or pass CITY_WARD). */
  wardCode?: string;
  groups: string[];
}

export class DuplicateUsernameError extends Error {}

/**
 * How to hash a new password: the server's hasher (its hash pool), or a scrypt
 * cost to hash inline with (the CLI, tests, benchmarks; default 17).
 */
export type HashWith = PasswordHasher | number | undefined;

const hasherOf = (h: HashWith): PasswordHasher => (typeof h === 'object' ? h : passwordHasher(h));

/**
 * The users row for a new account: checks the username, role, ward and
 * password rules and hashes the password (outside any transaction: hashing
 * takes a while). A city user gets ward CITY_WARD and no groups.
 */
export async function prepareUser(input: NewUser, hashWith?: HashWith): Promise<UsersTable> {
  const username = usernameSchema.parse(input.username);
  if (!ROLES.includes(input.role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
  const city = input.role === 'city';
  if (city && input.wardCode !== undefined && input.wardCode !== CITY_WARD) throw new Error('a city user has no ward');
  if (city && input.groups.length > 0) throw new Error('a city user has no groups');
  if (!city && input.wardCode === undefined) throw new Error('ward is required');
  const password = passwordSchema.parse(input.password);
  await assertStrongPassword(password, [username, input.displayName ?? '']);
  return {
    id: uuidv7(),
    username,
    display_name: input.displayName?.trim() || username,
    role: input.role,
    ward_code: city ? CITY_WARD : wardSchema.parse(input.wardCode),
    groups: JSON.stringify([...new Set(groupsSchema.parse(input.groups))]),
    password_hash: await hasherOf(hashWith).hash(password),
    disabled: 0,
    created_at: new Date().toISOString(),
  };
}

/** Inserts a prepared row; throws DuplicateUsernameError when the username is taken. */
export async function insertUser(trx: Kysely<DB>, row: UsersTable): Promise<AuthUser> {
  const inserted = await trx
    .insertInto('users')
    .values(row)
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new DuplicateUsernameError(`username "${row.username}" is taken`);
  return toUser(row);
}

/**
 * Creates an account. A missing ward, and any of the user's groups the ward
 * does not have yet, are created as it goes (wards.ts ensureWardGroups), so
 * the admin CLI and scripts that name wards and groups keep working. The API
 * checks groups against the ward before it calls this (unknown_group).
 */
export async function createUser(db: Db, input: NewUser, hashWith?: HashWith): Promise<AuthUser> {
  const row = await prepareUser(input, hashWith);
  return db.writeTx(async (trx) => {
    await ensureWardGroups(trx, row.ward_code, JSON.parse(row.groups) as string[]);
    return insertUser(trx, row);
  });
}

export async function findUserByUsername(db: Db, username: string): Promise<UsersTable | undefined> {
  return db.kysely.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Db, id: string): Promise<UsersTable | undefined> {
  return db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Db, wardCode?: string): Promise<UsersTable[]> {
  let q = db.kysely.selectFrom('users').selectAll().orderBy('ward_code').orderBy('username');
  if (wardCode !== undefined) q = q.where('ward_code', '=', wardCode);
  return q.execute();
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface UserChanges {
  groups?: string[];
  disabled?: boolean;
  password?: string;
  displayName?: string;
}

/**
 * Applies changes; a new password or disabling also ends every session of the
 * user, except `keepSession` (a token's SHA-256: the one changing its own password).
 */
export async function updateUser(
  db: Db,
  id: string,
  changes: UserChanges,
  hashWith?: HashWith,
  keepSession?: string,
): Promise<void> {
  const set: Partial<UsersTable> = {};
  if (changes.groups) set.groups = JSON.stringify([...new Set(groupsSchema.parse(changes.groups))]);
  if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
  if (changes.displayName !== undefined) set.display_name = changes.displayName.trim();
  if (changes.password !== undefined) {
    const password = passwordSchema.parse(changes.password);
    const row = await findUserById(db, id);
    await assertStrongPassword(password, [row?.username ?? '', changes.displayName ?? row?.display_name ?? '']);
    set.password_hash = await hasherOf(hashWith).hash(password);
  }
  if (Object.keys(set).length === 0) return;
  await db.writeTx(async (trx) => {
    if (changes.groups) await usersChangedGroups(trx, db.dialect, id, JSON.parse(set.groups!) as string[]); // before the update: it reads the old groups
    await trx.updateTable('users').set(set).where('id', '=', id).execute();
    if (changes.password !== undefined || changes.disabled === true) await endSessions(trx, id, keepSession);
  });
}

/** Ends every open session of the user but `keep` (a token's SHA-256); returns how many there were. */
async function endSessions(db: Kysely<DB>, userId: string, keep?: string): Promise<number> {
  let q = db.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', userId).where('revoked', '=', 0);
  if (keep !== undefined) q = q.where('token_sha256', '!=', keep);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function revokeSessions(db: Db, userId: string): Promise<number> {
  return endSessions(db.kysely, userId);
}
