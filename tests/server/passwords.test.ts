// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT_LOG_N, hashPassword, verifyPassword } from '../../src/server/passwords';

describe('password hashing', () => {
  it('uses scrypt N=2^17, r=8, p=1 by default and verifies in constant time', async () => {
    expect(DEFAULT_SCRYPT_LOG_N).toBe(17);
    const hash = await hashPassword('mật khẩu dài');
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('mật khẩu dài', hash)).toBe(true);
    expect(await verifyPassword('mat khau dai', hash)).toBe(false);
  });

  it('salts every hash and rejects malformed stored hashes', async () => {
    const a = await hashPassword('same', 10);
    const b = await hashPassword('same', 10);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', 'garbage')).toBe(false);
    expect(await verifyPassword('same', a.replace('$10$', '$30$'))).toBe(false);
  });
});
