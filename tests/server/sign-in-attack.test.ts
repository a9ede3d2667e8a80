// @vitest-environment node
// Sign-in under attack: the throttle cannot be raced, password hashing is
// rationed (at most 2 at once, then 503 busy), and behind a proxy the client
// address comes from the hop the proxy added, not from what the client sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer } from './helpers';
import { HASH_CONCURRENCY, HASH_MAX_WAIT_MS } from '../../src/server/hash-pool';
import { MAX_FAILURES } from '../../src/server/throttle';
import { parseTrustProxy } from '../../src/server/trust-proxy';

warnIfNoPostgres();

const MAX_WAIT_MS = 300;

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`sign-in under attack on ${dialect}`, () => {
    let s: TestServer;
    let ip = 0;
    // A proxy on 127.0.0.1 in front (TRUST_PROXY=127.0.0.1): the client address is
    // the X-Forwarded-For entry that the proxy added, the last one.
    const fromIp = () => ({ 'x-forwarded-for': `10.1.${Math.floor(++ip / 250)}.${ip % 250}` });
    const signIn = (username: string, password: string, headers: Record<string, string> = fromIp()) =>
      s.request('POST', '/api/v1/session', { body: { username, password }, headers });

    beforeAll(async () => {
      // scrypt 2^12 so that a hash takes long enough for requests to overlap.
      // Nobody gives up waiting for a hash here: this suite is about the throttle.
      s = await startTestServer({ dialect, scryptLogN: 12, appOptions: { trustProxy: '127.0.0.1', hashing: { maxWaitMs: 60_000 } } });
    });
    afterAll(async () => {
      await s?.close();
    });

    it('30 parallel wrong passwords for one user from one address give at most 10 × 401, the rest 429', async () => {
      const u = await s.createUser();
      const headers = fromIp();
      const results = await Promise.all(Array.from({ length: 30 }, () => signIn(u.username, 'wrong-password-guess', headers)));
      const statuses = results.map((r) => r.status);
      const wrong = statuses.filter((x) => x === 401).length;
      expect(wrong).toBeLessThanOrEqual(MAX_FAILURES);
      expect(statuses.filter((x) => x === 429)).toHaveLength(30 - wrong);
      // And the right password is refused too until the window passes.
      expect((await signIn(u.username, u.password)).status).toBe(429);
    });

    it('30 parallel wrong passwords for 30 users from one address give at most 10 × 401, the rest 429', async () => {
      const headers = fromIp();
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(`ghost-${ip}-${i}`, 'wrong-password-guess', headers)));
      const wrong = results.filter((r) => r.status === 401).length;
      expect(wrong).toBeLessThanOrEqual(MAX_FAILURES);
      expect(results.filter((r) => r.status === 429)).toHaveLength(30 - wrong);
    });

    it('a successful sign-in leaves no attempt behind, so successes are never throttled', async () => {
      const u = await s.createUser();
      const count = async () => (await s.db.kysely.selectFrom('login_failures').select('id').execute()).length;
      const before = await count();
      const headers = fromIp();
      for (let i = 0; i < MAX_FAILURES + 2; i++) expect((await signIn(u.username, u.password, headers)).status).toBe(200);
      expect(await count()).toBe(before);
    });

    it(`runs at most ${HASH_CONCURRENCY} hashes at once; a sign-in that waits too long gets 503 busy with Retry-After`, async () => {
      expect(HASH_CONCURRENCY).toBe(2);
      expect(HASH_MAX_WAIT_MS).toBe(2000);
      // Its own server, with a short wait, and hooks that hold the workers.
      const b = await startTestServer({ dialect, appOptions: { trustProxy: '127.0.0.1', hashing: { maxWaitMs: MAX_WAIT_MS } } });
      const u = await b.createUser();
      const signInB = (password: string) =>
        b.request('POST', '/api/v1/session', { body: { username: u.username, password }, headers: fromIp() });
      let inside = 0;
      let most = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      b.hooks.whileHashing = async () => {
        inside += 1;
        most = Math.max(most, inside);
        await gate;
        inside -= 1;
      };
      try {
        const holding = [signInB('wrong-password-guess'), signInB(u.password)];
        await until(() => inside === HASH_CONCURRENCY);
        const attempts = () => b.db.kysely.selectFrom('login_failures').select('id').execute();
        const before = await attempts();
        const started = Date.now();
        const busy = await signInB(u.password);
        const waited = Date.now() - started;
        expect(busy.status).toBe(503);
        expect(busy.body).toEqual({ error: { code: 'busy', message: expect.any(String), retryAfterSeconds: expect.any(Number) } });
        expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(busy.headers.get('set-cookie')).toBeNull();
        expect(waited).toBeGreaterThanOrEqual(MAX_WAIT_MS - 50);
        expect(most).toBe(HASH_CONCURRENCY);
        // A sign-in that was never checked does not count as a failure.
        expect(await attempts()).toHaveLength(before.length);
        release();
        expect((await Promise.all(holding)).map((r) => r.status)).toEqual([401, 200]);
      } finally {
        release();
        await b.close();
      }
    });

    it.each(['1', '127.0.0.1'])('behind a trusted proxy (TRUST_PROXY=%s), rotating X-Forwarded-For does not escape the per-address throttle', async (setting) => {
      const trustProxy = parseTrustProxy(setting).value!;
      const p = await startTestServer({ dialect, scryptLogN: 12, appOptions: { trustProxy, hashing: { maxWaitMs: 60_000 } } });
      try {
        // nginx appends the address it saw: "<whatever the client sent>, <client>".
        const client = `203.0.113.${(ip++ % 200) + 1}`;
        const statuses: number[] = [];
        for (let i = 0; i < MAX_FAILURES + 2; i++) {
          const r = await p.request('POST', '/api/v1/session', {
            body: { username: `ghost-rotating-${i}`, password: 'wrong-password-guess' },
            headers: { 'x-forwarded-for': `198.51.100.${i}, ${client}` },
          });
          statuses.push(r.status);
        }
        expect(statuses.slice(0, MAX_FAILURES).every((x) => x === 401)).toBe(true);
        expect(statuses.slice(MAX_FAILURES)).toEqual([429, 429]);
      } finally {
        await p.close();
      }
    });
  });
}

describe('TRUST_PROXY', () => {
  it('"true" trusts every X-Forwarded-For entry, so it comes with a warning', () => {
    const parsed = parseTrustProxy('true');
    expect(parsed.value).toBe(true);
    expect(parsed.warning).toMatch(/TRUST_PROXY=127\.0\.0\.1/);
  });

  it('a hop count trusts that many proxies from the socket inward, without a warning', () => {
    const parsed = parseTrustProxy('1');
    expect(parsed.warning).toBeUndefined();
    const trust = parsed.value as (address: string, hop: number) => boolean;
    expect([trust('10.0.0.5', 0), trust('203.0.113.7', 1)]).toEqual([true, false]);
  });

  it.each([
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.1, 10.0.0.2', ['10.0.0.1', '10.0.0.2']],
    ['loopback', ['loopback']],
    ['false', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j means %j, without a warning', (text, value) => {
    expect(parseTrustProxy(text)).toEqual({ value });
  });
});
