// @vitest-environment node
// Session lifetimes: 30 days without use, and 90 days after sign-in however
// often it is used; dead and revoked session rows do not pile up.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sha256 } from '../../src/server/sessions';

warnIfNoPostgres();

const DAY = 24 * 60 * 60 * 1000;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`session lifetime on ${dialect}`, () => {
    let s: TestServer;
    let u: TestUser;
    let sup: TestUser;
    let ip = 0;
    const fromIp = () => ({ 'x-forwarded-for': `10.4.${Math.floor(++ip / 250)}.${ip % 250}` });
    async function signIn(who: TestUser = u) {
      const r = await s.request('POST', '/api/v1/session', { body: { username: who.username, password: who.password }, headers: fromIp() });
      expect(r.status).toBe(200);
      return r.headers.get('set-cookie')!.split(';')[0]!;
    }
    const whoAmI = (cookie: string) => s.request('GET', '/api/v1/session', { cookie });
    const rowOf = (cookie: string) =>
      s.db.kysely.selectFrom('sessions').selectAll().where('token_sha256', '=', sha256(cookie.split('=')[1]!)).executeTakeFirst();

    beforeAll(async () => {
      s = await startTestServer({ dialect, appOptions: { trustProxy: '127.0.0.1' } });
      u = await s.createUser();
      sup = await s.createUser({ role: 'supervisor' });
    });
    afterEach(() => {
      s.clock.offsetMs = 0;
    });
    afterAll(async () => {
      await s?.close();
    });

    it('lasts 30 days without use and 90 days at most', () => {
      expect(SESSION_IDLE_MS).toBe(30 * DAY);
      expect(SESSION_ABSOLUTE_MS).toBe(90 * DAY);
    });

    it('ends 90 days after sign-in even when used every few days', async () => {
      const cookie = await signIn();
      for (const day of [20, 40, 60, 80, 89]) {
        s.clock.offsetMs = day * DAY;
        expect((await whoAmI(cookie)).status, `day ${day}`).toBe(200);
      }
      s.clock.offsetMs = 90 * DAY + 60_000;
      const r = await whoAmI(cookie);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
    });

    it('never gives the cookie a Max-Age past the 90 days', async () => {
      const cookie = await signIn();
      for (const day of [25, 50, 75]) {
        s.clock.offsetMs = day * DAY;
        expect((await whoAmI(cookie)).status).toBe(200);
      }
      s.clock.offsetMs = 80 * DAY;
      const r = await whoAmI(cookie);
      expect(r.status).toBe(200);
      const maxAge = Number(/Max-Age=(\d+)/i.exec(r.headers.get('set-cookie') ?? '')?.[1]);
      expect(maxAge).toBeGreaterThan(9 * DAY / 1000);
      expect(maxAge).toBeLessThanOrEqual(10 * DAY / 1000);
    });

    it('prunes revoked, idle and too old session rows', async () => {
      const signedOut = await signIn();
      await s.request('DELETE', '/api/v1/session', { cookie: signedOut });
      const revokedBySupervisor = await signIn();
      const supCookie = await signIn(sup);
      expect((await s.request('POST', `/api/v1/users/${u.id}/revoke`, { cookie: supCookie })).status).toBe(200);
      const idle = await signIn();
      const old = await signIn();
      // Keep `old` in use until it passes 90 days; `idle` goes unused.
      for (const day of [25, 50, 75]) {
        s.clock.offsetMs = day * DAY;
        expect((await whoAmI(old)).status).toBe(200);
      }
      s.clock.offsetMs = 91 * DAY;
      const fresh = await signIn();
      for (const cookie of [signedOut, revokedBySupervisor, idle, old]) expect(await rowOf(cookie)).toBeUndefined();
      expect(await rowOf(fresh)).toBeDefined();
      expect((await whoAmI(fresh)).status).toBe(200);
    });
  });
}
