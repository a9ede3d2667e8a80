// Checking a password against an account, for sign-in and for "change my
// password": the throttle booking first (throttle.ts), then the hash in the
// rationed pool (hash-pool.ts), then the verdict.
import { z } from 'zod';
import type { ServerContext } from './context';
import type { UsersTable } from './db';
import { ApiError } from './errors';
import { bookAttempt, cancelAttempt, clearFailures } from './throttle';
import { findUserByUsername, passwordSchema, updateUser } from './users';

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

export const passwordChangeSchema = z
  .object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema })
  .strict();

/**
 * Changes the signed-in user's own password. Needs the current one (403
 * wrong_password, throttled like sign-in, so a stolen session cannot guess
 * it); ends every other session of the user, keeping `sessionId`.
 */
export async function changeOwnPassword(
  ctx: ServerContext,
  me: { id: string; username: string },
  change: z.output<typeof passwordChangeSchema>,
  ip: string,
  sessionId: string,
): Promise<void> {
  const row = await checkPassword(ctx, me.username, change.currentPassword, ip);
  if (row?.id !== me.id) throw new ApiError(403, 'wrong_password', 'The current password is not right');
  await updateUser(ctx.db, me.id, { password: change.newPassword }, ctx.passwords, sessionId);
}
