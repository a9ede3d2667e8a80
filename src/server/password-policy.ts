// What a new password must be: at least 10 characters, and not one that an
// attacker tries early (common passwords, keyboard walks, repeats, a word and
// a year, the username). Checked wherever a password is chosen: POST/PATCH
// /users, PUT /session/password and the admin CLI, all through users.ts.
// Sign-in never checks it, so accounts made under the old 8-character rule
// keep working until their password is changed.
//
// The estimate is zxcvbn's, with its language-neutral dictionaries (common
// passwords, common words). It loads lazily: about 1 MB of word lists that the
// server needs only when someone picks a password. Server only: the app must
// never bundle this.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ApiError } from './errors';

export const MIN_PASSWORD_LENGTH = 10;
/**
 * zxcvbn's score runs 0-4; below 3 means it finds the password in fewer than
 * 10^8 guesses: a list entry, or one with a year, "123" or a symbol tacked on
 * ("matkhau2025", "hanoi123456"), which attackers try first.
 */
const MIN_SCORE = 3;

export type PasswordWeakness = 'too_short' | 'common';

let zxcvbn: Promise<ZxcvbnFactory> | undefined;

async function loadZxcvbn(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
  return new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
}

/** Why a new password is refused, or undefined when it is fine. `context`: the username, display name. */
export async function passwordWeakness(password: string, context: readonly string[] = []): Promise<PasswordWeakness | undefined> {
  const normalized = password.normalize('NFC');
  // Code points, not UTF-16 units: "mật khẩu" is 8 characters to its owner.
  if ([...normalized].length < MIN_PASSWORD_LENGTH) return 'too_short';
  zxcvbn ??= loadZxcvbn();
  const inputs = context.map((c) => c.trim().toLowerCase()).filter(Boolean);
  return (await zxcvbn).check(normalized, inputs).score < MIN_SCORE ? 'common' : undefined;
}

const MESSAGES: Record<PasswordWeakness, string> = {
  too_short: `A password needs at least ${MIN_PASSWORD_LENGTH} characters`,
  common: 'This password is common or easy to guess; a few unrelated words make a good one',
};

/** Throws 400 weak_password, with `reason`, when the password is refused. */
export async function assertStrongPassword(password: string, context: readonly string[] = []): Promise<void> {
  const reason = await passwordWeakness(password, context);
  if (reason) throw new ApiError(400, 'weak_password', MESSAGES[reason], { reason });
}
