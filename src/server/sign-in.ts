// Checking a password against an account, for sign-in: the throttle booking
// first (throttle.ts), then the hash in the rationed pool (hash-pool.ts), then
// the verdict.
import type { ServerContext } from './context';
import type { UsersTable } from './db';
import { bookAttempt, cancelAttempt, clearFailures } from './throttle';
import { findUserByUsername } from './users';

/**
 * The account when the password is right and the account is enabled;
 * undefined otherwise, and that failure counts towards the throttle.
 * Throws 429 too_many_attempts before any hashing, and 503 busy when no hash
 * worker frees up in time (that attempt does not count).
 */
export async function checkPassword(ctx: ServerContext, username: string, password: string, ip: string): Promise<UsersTable | undefined> {
  const attempt = await bookAttempt(ctx, username, ip);
  let row: UsersTable | undefined;
  let ok: boolean;
  try {
    row = await findUserByUsername(ctx.db, username);
    // Same scrypt work whether or not the user exists.
    ok = await ctx.passwords.verify(password, row?.password_hash);
  } catch (error) {
    await cancelAttempt(ctx, attempt);
    throw error;
  }
  if (!row || !ok || row.disabled) return undefined;
  await clearFailures(ctx, username);
  return row;
}
