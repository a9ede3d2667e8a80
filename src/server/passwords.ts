// Password hashing: scrypt with N=2^17, r=8, p=1 (the parameters).
// The hash string carries its own parameters and salt, so the cost can be
// raised later without invalidating stored passwords:
//   scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const DEFAULT_SCRYPT_LOG_N = 17;
const R = 8;
const P = 1;
const KEY_LEN = 32;
// scrypt needs 128 * N * r bytes: 128 MiB at N=2^17. Node's default cap is 32 MiB.
const MAX_MEM = 256 * 1024 * 1024;

/** Raw scrypt. The server passes its hash pool's (hash-pool.ts); the CLI and tests hash inline. */
export type ScryptFn = (password: string, salt: Buffer, keyLen: number, options: ScryptOptions) => Promise<Buffer>;

/** Node's async scrypt, on the shared libuv pool: fine for the CLI and tests, not for a busy server. */
export const inlineScrypt: ScryptFn = (password, salt, keyLen, options) =>
  new Promise((resolve, reject) => scryptCb(password, salt, keyLen, options, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string, logN = DEFAULT_SCRYPT_LOG_N, scrypt: ScryptFn = inlineScrypt): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LEN, { N: 2 ** logN, r: R, p: P, maxmem: MAX_MEM });
  return `scrypt$${logN}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time check. A malformed stored hash simply fails (after doing the work). */
export async function verifyPassword(password: string, stored: string, scrypt: ScryptFn = inlineScrypt): Promise<boolean> {
  const parts = stored.split('$');
  const [scheme, logNText, rText, pText, saltText, keyText] = parts;
  const logN = Number(logNText);
  const r = Number(rText);
  const p = Number(pText);
  const ok = scheme === 'scrypt' && parts.length === 6 && logN >= 1 && logN <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 4;
  const salt = Buffer.from(saltText ?? '', 'base64url');
  const expected = Buffer.from(keyText ?? '', 'base64url');
  const actual = await scrypt(password.normalize('NFC'), salt, expected.length || KEY_LEN, ok
    ? { N: 2 ** logN, r, p, maxmem: MAX_MEM }
    : { N: 2 ** DEFAULT_SCRYPT_LOG_N, r: R, p: P, maxmem: MAX_MEM });
  return ok && expected.length === actual.length && timingSafeEqual(expected, actual);
}

const dummies = new Map<number, Promise<string>>();

/**
 * A hash to verify against when the username does not exist, so "no such user"
 * costs the same scrypt work as "wrong password" and timing reveals nothing.
 */
export function dummyHash(logN = DEFAULT_SCRYPT_LOG_N, scrypt: ScryptFn = inlineScrypt): Promise<string> {
  let h = dummies.get(logN);
  if (!h) {
    h = hashPassword(randomBytes(16).toString('hex'), logN, scrypt);
    dummies.set(logN, h);
    h.catch(() => dummies.delete(logN)); // e.g. 503 busy: try again next time
  }
  return h;
}

/** Hashing with one cost and one scrypt, as the server and the CLI need it. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Checks against `stored`, or against a dummy hash when there is none: the same work either way. */
  verify(password: string, stored: string | undefined): Promise<boolean>;
}

export function passwordHasher(logN = DEFAULT_SCRYPT_LOG_N, scrypt: ScryptFn = inlineScrypt): PasswordHasher {
  return {
    hash: (password) => hashPassword(password, logN, scrypt),
    verify: async (password, stored) => {
      const ok = await verifyPassword(password, stored ?? (await dummyHash(logN, scrypt)), scrypt);
      return ok && stored !== undefined;
    },
  };
}
