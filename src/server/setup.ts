// First run in the browser. While no user exists, every server start issues a
// one-time setup link, http://<host>:<port>/#/setup/<token> (main.ts prints
// it). Only the token's SHA-256 is stored (setup_tokens). A link stays valid
// until setup is done: a restart before then issues another link and the
// earlier ones keep working (several app servers may start at once), and the
// setup that succeeds deletes every token. Once any user exists (made by
// setup or by the admin CLI), POST /api/v1/setup answers 410 setup_done and
// no start issues a link.
//
// Setup creates, in one transaction: the ward, its groups, and the first
// user, with the role `city` (who then creates supervisors and more wards).
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { parseGroupList, type SetupRequest, type WardGroup } from '../shared/wards';
import type { ServerContext } from './context';
import type { DB, Db } from './db';
import { ApiError, forbidden } from './errors';
import { sha256 } from './sessions';
import { countUsers, insertUser, prepareUser, type AuthUser } from './users';
import { replaceWardGroups } from './wards';

/** A new setup token when no user exists (stored hashed), else undefined. */
export async function issueSetupToken(db: Db, now = new Date()): Promise<string | undefined> {
  if ((await countUsers(db)) > 0) return undefined;
  const token = randomBytes(32).toString('base64url');
  await db.kysely.insertInto('setup_tokens').values({ token_sha256: sha256(token), created_at: now.toISOString() }).execute();
  return token;
}

// Arbitrary constant identifying "Gõ Cửa first-run setup" among advisory locks.
const PG_SETUP_LOCK = 4_711_006;

export function setupDone() {
  return new ApiError(410, 'setup_done', 'This server is set up already; sign in instead');
}

async function checkOpen(trx: Kysely<DB>, token: string): Promise<void> {
  const users = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (users) throw setupDone();
  const row = await trx.selectFrom('setup_tokens').select('token_sha256').where('token_sha256', '=', sha256(token)).executeTakeFirst();
  if (!row) throw forbidden('This setup link is not valid; use the link the server printed when it started');
}

/** The request's groups: a pasted list is parsed (400 invalid_request naming the line); at least one. */
export function setupGroups(groups: SetupRequest['groups']): WardGroup[] {
  if (typeof groups !== 'string') {
    if (groups.length === 0) throw invalidGroups([{ path: 'groups', message: 'at least one residential group' }]);
    return groups;
  }
  const parsed = parseGroupList(groups);
  if (parsed.errors.length > 0) {
    throw invalidGroups(parsed.errors.slice(0, 50).map((e) => ({ path: 'groups', message: `line ${e.line}: ${e.reason}` })));
  }
  if (parsed.groups.length === 0) throw invalidGroups([{ path: 'groups', message: 'at least one residential group' }]);
  return parsed.groups;
}

const invalidGroups = (issues: { path: string; message: string }[]) => new ApiError(400, 'invalid_request', 'The list of groups is not valid', { issues });

/**
 * Runs the first-run setup; returns the new city user. Answers 410 setup_done
 * once a user exists and 403 forbidden for an unknown token, before any
 * password work; checks both again inside the transaction, so two setups at
 * once make one user.
 */
export async function runSetup(ctx: ServerContext, body: SetupRequest): Promise<AuthUser> {
  const groups = setupGroups(body.groups);
  await checkOpen(ctx.db.kysely, body.token);
  const row = await prepareUser({ username: body.username, password: body.password, displayName: body.displayName, role: 'city', groups: [] }, ctx.passwords);
  const now = ctx.now().toISOString();
  return ctx.db.writeTx(async (trx) => {
    // SQLite's BEGIN IMMEDIATE serialises setups; on PostgreSQL two setups
    // with different tokens would both see no user without this lock.
    if (ctx.db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_SETUP_LOCK})`.execute(trx);
    await checkOpen(trx, body.token);
    await trx.insertInto('wards').values({ code: body.ward.code, name: body.ward.name, target_independent: null, created_at: now }).onConflict((oc) => oc.column('code').doNothing()).execute();
    await replaceWardGroups(trx, body.ward.code, groups);
    const user = await insertUser(trx, row);
    await trx.deleteFrom('setup_tokens').execute();
    return user;
  });
}
