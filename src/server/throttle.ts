// Login throttling. App servers keep no state (several may run behind a load
// balancer), so failures live in the database. Usernames and IPs are stored
// only as SHA-256, and rows older than the window are pruned as we go.
import { uuidv7 } from '../shared/ids';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { sha256 } from './sessions';

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60 * 1000;

function keys(username: string, ip: string) {
  return { user: sha256(`u:${username.trim().toLowerCase()}`), ip: sha256(`ip:${ip}`) };
}

/** Throws 429 too_many_attempts (with Retry-After) after more than 10 failures in 15 min. */
export async function checkThrottle(ctx: ServerContext, username: string, ip: string): Promise<void> {
  const k = keys(username, ip);
  const now = ctx.now().getTime();
  const since = new Date(now - WINDOW_MS).toISOString();
  for (const [column, value] of [
    ['username_sha256', k.user],
    ['ip_sha256', k.ip],
  ] as const) {
    const rows = await ctx.db.kysely
      .selectFrom('login_failures')
      .select('at')
      .where(column, '=', value)
      .where('at', '>', since)
      .orderBy('at', 'desc')
      .limit(MAX_FAILURES)
      .execute();
    if (rows.length >= MAX_FAILURES) {
      // Allowed again when the oldest of the last 10 failures leaves the window.
      const oldest = Date.parse(rows[rows.length - 1]!.at);
      const retryAfter = Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
      throw new ApiError(
        429,
        'too_many_attempts',
        'Too many failed sign-ins; try again later',
        { retryAfterSeconds: retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
  }
}

export async function recordFailure(ctx: ServerContext, username: string, ip: string): Promise<void> {
  const k = keys(username, ip);
  const now = ctx.now();
  await ctx.db.kysely
    .insertInto('login_failures')
    .values({ id: uuidv7(now.getTime()), username_sha256: k.user, ip_sha256: k.ip, at: now.toISOString() })
    .execute();
  await ctx.db.kysely
    .deleteFrom('login_failures')
    .where('at', '<', new Date(now.getTime() - WINDOW_MS).toISOString())
    .execute();
}

/** A successful sign-in clears that username's failures (not the IP's). */
export async function clearFailures(ctx: ServerContext, username: string): Promise<void> {
  await ctx.db.kysely.deleteFrom('login_failures').where('username_sha256', '=', keys(username, '').user).execute();
}
