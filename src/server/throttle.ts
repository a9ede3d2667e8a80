// Login throttling. App servers keep no state (several may run behind a load
// balancer), so attempts live in the database. Usernames and IPs are stored
// only as SHA-256, and rows older than the window are pruned as we go.
//
// Invariants:
//   1. An attempt is booked (a login_failures row) BEFORE its password is
//      checked, in the same write transaction that counts the earlier ones.
//      Counting after the slow hash let 30 parallel guesses all pass the check
//      before any of them was recorded.
//   2. Bookings for one username or address take turns: SQLite's BEGIN
//      IMMEDIATE serialises every writer; on PostgreSQL two transaction-level
//      advisory locks (one per key, taken in a fixed order, so no deadlock)
//      do it across connections and app servers.
//   3. A booked attempt stays as a failure unless the password proved right
//      (clearFailures) or was never checked (cancelAttempt: 503 busy, or an
//      error). A crash in between leaves it counted: fail closed.
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '../shared/ids';
import type { ServerContext } from './context';
import type { DB } from './db';
import { ApiError } from './errors';
import { sha256 } from './sessions';

export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60 * 1000;
// First key of the two-int advisory locks that guard the counts (any constant
// no other lock in the schema uses; the migrations' lock is a single bigint).
const ADVISORY_NAMESPACE = 0x676f63; // "goc"

function keys(username: string, ip: string) {
  return { user: sha256(`u:${username.trim().toLowerCase()}`), ip: sha256(`ip:${ip}`) };
}

async function lockKeys(trx: Kysely<DB>, hexKeys: string[]) {
  // 32 bits of each SHA-256 as the lock's second key; sorted, so every
  // transaction takes its locks in the same order.
  const ids = [...new Set(hexKeys.map((k) => Number.parseInt(k.slice(0, 8), 16) | 0))].sort((a, b) => a - b);
  for (const id of ids) await sql`select pg_advisory_xact_lock(${ADVISORY_NAMESPACE}::int, ${id}::int)`.execute(trx);
}

/**
 * Books a sign-in attempt for this username and address, or throws 429
 * too_many_attempts (with Retry-After) when 10 or more in the last 15 minutes
 * have failed or are still being checked. Returns the booking's id.
 */
export async function bookAttempt(ctx: ServerContext, username: string, ip: string): Promise<string> {
  const k = keys(username, ip);
  const now = ctx.now();
  const since = new Date(now.getTime() - WINDOW_MS).toISOString();
  return ctx.db.writeTx(async (trx) => {
    if (ctx.db.dialect === 'postgres') await lockKeys(trx, [k.user, k.ip]);
    await trx.deleteFrom('login_failures').where('at', '<=', since).execute();
    for (const [column, value] of [
      ['username_sha256', k.user],
      ['ip_sha256', k.ip],
    ] as const) {
      const rows = await trx
        .selectFrom('login_failures')
        .select('at')
        .where(column, '=', value)
        .where('at', '>', since)
        .orderBy('at', 'desc')
        .limit(MAX_FAILURES)
        .execute();
      if (rows.length >= MAX_FAILURES) {
        // Allowed again when the oldest of the last 10 leaves the window.
        const oldest = Date.parse(rows[rows.length - 1]!.at);
        const retryAfter = Math.max(1, Math.ceil((oldest + WINDOW_MS - now.getTime()) / 1000));
        throw new ApiError(
          429,
          'too_many_attempts',
          'Too many failed sign-ins; try again later',
          { retryAfterSeconds: retryAfter },
          { 'retry-after': String(retryAfter) },
        );
      }
    }
    const id = uuidv7(now.getTime());
    await trx.insertInto('login_failures').values({ id, username_sha256: k.user, ip_sha256: k.ip, at: now.toISOString() }).execute();
    return id;
  });
}

/** The password was never checked (503 busy, an error): the booking does not count. */
export async function cancelAttempt(ctx: ServerContext, id: string): Promise<void> {
  await ctx.db.kysely.deleteFrom('login_failures').where('id', '=', id).execute();
}

/** A successful sign-in clears that username's failures and bookings (not the IP's). */
export async function clearFailures(ctx: ServerContext, username: string): Promise<void> {
  await ctx.db.kysely.deleteFrom('login_failures').where('username_sha256', '=', keys(username, '').user).execute();
}
