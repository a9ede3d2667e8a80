// @vitest-environment node
// Sessions, login throttling, expiry, revocation, roles and the users API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { ensureWardGroups } from '../../src/server/wards';

const TDP_1_TO_9 = Array.from({ length: 9 }, (_, i) => `TDP ${i + 1}`);
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import type { PullResponse, PushResponse } from '../../src/shared/protocol';
import { sha256 } from '../../src/server/sessions';

warnIfNoPostgres();

const DAY = 24 * 60 * 60 * 1000;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`auth and roles on ${dialect}`, () => {
    let s: TestServer;
    let supA: TestUser;
    let supB: TestUser;
    let volA: TestUser;
    let volB: TestUser;
    let ip = 0;
    // Each test signs in from its own address (TRUST_PROXY on), so the per-IP
    // throttle of one test never spills into another.
    const fromIp = () => ({ 'x-forwarded-for': `10.0.${Math.floor(++ip / 250)}.${ip % 250}` });

    beforeAll(async () => {
      s = await startTestServer({ dialect, appOptions: { trustProxy: true } });
      // The wards' residential groups these tests use (a push refuses other groups: unknown_group).
      for (const ward of ['CUANAM', 'HOANKIEM']) await ensureWardGroups(s.db, ward, TDP_1_TO_9);
      supA = await s.createUser({ role: 'supervisor', wardCode: 'CUANAM' });
      supB = await s.createUser({ role: 'supervisor', wardCode: 'HOANKIEM' });
      volA = await s.createUser({ role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 1'] });
      volB = await s.createUser({ role: 'volunteer', wardCode: 'HOANKIEM', groups: ['TDP 1'] });
    });
    afterAll(async () => {
      await s?.close();
    });

    async function signIn(u: TestUser, headers: Record<string, string> = fromIp()) {
      const r = await s.request('POST', '/api/v1/session', { body: { username: u.username, password: u.password }, headers });
      expect(r.status).toBe(200);
      return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, setCookie: r.headers.get('set-cookie')!, body: r.body };
    }

    it('signs in with an HttpOnly SameSite=Strict cookie, stores only the token hash, and signs out', async () => {
      const { cookie, setCookie, body } = await signIn(volA);
      expect(body.user).toEqual({
        id: volA.id,
        username: volA.username,
        displayName: volA.displayName,
        role: 'volunteer',
        wardCode: 'CUANAM',
        groups: ['TDP 1'],
      });
      expect(setCookie).toMatch(/^gocua_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).not.toMatch(/Secure/i);
      const token = cookie.split('=')[1]!;
      const rows = await s.db.kysely.selectFrom('sessions').selectAll().where('user_id', '=', volA.id).execute();
      expect(rows.some((r) => r.token_sha256 === sha256(token))).toBe(true);
      expect(rows.some((r) => r.token_sha256 === token)).toBe(false);

      expect((await s.request('GET', '/api/v1/session', { cookie })).body.user.id).toBe(volA.id);
      expect((await s.request('DELETE', '/api/v1/session', { cookie })).status).toBe(204);
      const after = await s.request('GET', '/api/v1/session', { cookie });
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('unauthenticated');
    });

    it('marks the cookie Secure behind an HTTPS proxy (TRUST_PROXY)', async () => {
      const { setCookie } = await signIn(volA, { ...fromIp(), 'x-forwarded-proto': 'https' });
      expect(setCookie).toMatch(/Secure/i);
    });

    it('answers invalid_credentials for a wrong password and for an unknown user alike', async () => {
      const wrong = await s.request('POST', '/api/v1/session', { body: { username: volA.username, password: 'nope-nope' }, headers: fromIp() });
      const unknown = await s.request('POST', '/api/v1/session', { body: { username: 'nobody-here', password: 'nope-nope' }, headers: fromIp() });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error.code).toBe('invalid_credentials');
      expect((await s.request('GET', '/api/v1/session')).status).toBe(401);
    });

    it('throttles after 10 failures for one username (429 + Retry-After), even with the right password', async () => {
      const u = await s.createUser({ wardCode: 'CUANAM' });
      for (let i = 0; i < 10; i++) {
        const r = await s.request('POST', '/api/v1/session', { body: { username: u.username, password: 'wrong-password' }, headers: fromIp() });
        expect(r.status).toBe(401);
      }
      const r = await s.request('POST', '/api/v1/session', { body: { username: u.username, password: u.password }, headers: fromIp() });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('too_many_attempts');
      const retry = Number(r.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(15 * 60);
      // Stored hashed, never the username.
      const stored = await s.db.kysely.selectFrom('login_failures').selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(u.username);
      // After the window the account works again.
      s.clock.offsetMs = 16 * 60 * 1000;
      try {
        expect((await s.request('POST', '/api/v1/session', { body: { username: u.username, password: u.password }, headers: fromIp() })).status).toBe(200);
      } finally {
        s.clock.offsetMs = 0;
      }
    });

    it('throttles after 10 failures from one IP across usernames', async () => {
      const headers = fromIp();
      for (let i = 0; i < 10; i++) {
        await s.request('POST', '/api/v1/session', { body: { username: `ghost${i}`, password: 'wrong-password' }, headers });
      }
      const r = await s.request('POST', '/api/v1/session', { body: { username: volA.username, password: volA.password }, headers });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      // Another address is not affected.
      await signIn(volA);
    });

    it('expires a session after 30 days without use, and slides while used', async () => {
      const { cookie } = await signIn(volA);
      try {
        s.clock.offsetMs = 29 * DAY;
        expect((await s.request('GET', '/api/v1/session', { cookie })).status).toBe(200); // slides
        s.clock.offsetMs = 58 * DAY;
        expect((await s.request('GET', '/api/v1/session', { cookie })).status).toBe(200);
        s.clock.offsetMs = 89 * DAY;
        const r = await s.request('GET', '/api/v1/session', { cookie });
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe('unauthenticated');
      } finally {
        s.clock.offsetMs = 0;
      }
    });

    it('a volunteer cannot create or list users', async () => {
      const { cookie } = await signIn(volA);
      const r = await s.request('POST', '/api/v1/users', {
        cookie,
        body: { username: 'newbie', password: 'long-enough', displayName: 'Newbie', role: 'volunteer', groups: [] },
      });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect((await s.request('GET', '/api/v1/users', { cookie })).status).toBe(403);
      expect(await s.db.kysely.selectFrom('users').select('id').where('username', '=', 'newbie').executeTakeFirst()).toBeUndefined();
    });

    it('a volunteer of another ward cannot pull or write this ward', async () => {
      const sup = await signIn(supA);
      const box = new Outbox();
      const h = createHouseholdRecord({ wardCode: 'CUANAM', group: 'TDP 1' });
      await s.request('POST', '/api/v1/sync/push', { cookie: sup.cookie, body: box.body([box.create('household', h)]) });
      const other = await signIn(volB); // same group name "TDP 1", other ward
      const pulled = await s.request('GET', '/api/v1/sync/pull', { cookie: other.cookie });
      expect((pulled.body as PullResponse).changes.map((c) => c.id)).not.toContain(h.id);
      const ob = new Outbox();
      const w = await s.request('POST', '/api/v1/sync/push', { cookie: other.cookie, body: ob.body([ob.update('household', h, { ...h, notes: 'x' })]) });
      // Answered as for an unknown id (an update of a record it does not have is an incomplete create).
      expect((w.body as PushResponse).results[0]!.error!.code).toBe('invalid_record');
      expect(JSON.parse((await s.db.kysely.selectFrom('records').select('data').where('id', '=', h.id).executeTakeFirstOrThrow()).data).notes).toBeUndefined();
    });

    it('a supervisor manages volunteers of their own ward only', async () => {
      const a = await signIn(supA);
      const created = await s.request('POST', '/api/v1/users', {
        cookie: a.cookie,
        body: { username: 'Lan.Nguyen', password: 'mat-khau-dai', displayName: 'Nguyễn Thị Lan', role: 'volunteer', groups: ['TDP 2'] },
      });
      expect(created.status).toBe(201);
      expect(created.body.user).toMatchObject({ username: 'lan.nguyen', wardCode: 'CUANAM', role: 'volunteer', groups: ['TDP 2'] });
      const dup = await s.request('POST', '/api/v1/users', {
        cookie: a.cookie,
        body: { username: 'lan.nguyen', password: 'mat-khau-dai', displayName: 'X', role: 'volunteer', groups: [] },
      });
      expect(dup.status).toBe(409);
      const bad = await s.request('POST', '/api/v1/users', {
        cookie: a.cookie,
        body: { username: 'x', password: 12345678, displayName: '', role: 'supervisor', groups: [] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
        expect.arrayContaining(['username', 'password', 'displayName', 'role']),
      );

      const list = await s.request('GET', '/api/v1/users', { cookie: a.cookie });
      expect(list.status).toBe(200);
      expect(list.body.users.every((u: { wardCode: string }) => u.wardCode === 'CUANAM')).toBe(true);
      expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password/i);

      const id = created.body.user.id as string;
      const lan = await s.login('lan.nguyen', 'mat-khau-dai');
      const patched = await s.request('PATCH', `/api/v1/users/${id}`, { cookie: a.cookie, body: { groups: ['TDP 2', 'TDP 3'] } });
      expect(patched.body.user.groups).toEqual(['TDP 2', 'TDP 3']);
      expect((await s.request('GET', '/api/v1/session', { cookie: lan.cookie })).body.user.groups).toEqual(['TDP 2', 'TDP 3']);

      // Ward B's supervisor cannot see, change or revoke ward A's volunteer.
      const b = await signIn(supB);
      expect((await s.request('PATCH', `/api/v1/users/${id}`, { cookie: b.cookie, body: { disabled: true } })).status).toBe(404);
      expect((await s.request('POST', `/api/v1/users/${id}/revoke`, { cookie: b.cookie })).status).toBe(404);
      expect((await s.request('GET', '/api/v1/users', { cookie: b.cookie })).body.users.map((u: { id: string }) => u.id)).not.toContain(id);
      expect((await s.request('GET', '/api/v1/session', { cookie: lan.cookie })).status).toBe(200);

      // A new password ends old sessions.
      await s.request('PATCH', `/api/v1/users/${id}`, { cookie: a.cookie, body: { password: 'new-password-1' } });
      expect((await s.request('GET', '/api/v1/session', { cookie: lan.cookie })).status).toBe(401);
      const lan2 = await s.login('lan.nguyen', 'new-password-1');

      // Revoke ends every session: 401 afterwards.
      const revoked = await s.request('POST', `/api/v1/users/${id}/revoke`, { cookie: a.cookie });
      expect(revoked.body.revoked).toBeGreaterThanOrEqual(1);
      const after = await s.request('GET', '/api/v1/session', { cookie: lan2.cookie });
      expect(after.status).toBe(401);
      expect((await s.request('GET', '/api/v1/sync/pull', { cookie: lan2.cookie })).status).toBe(401);

      // A disabled user cannot sign in.
      await s.request('PATCH', `/api/v1/users/${id}`, { cookie: a.cookie, body: { disabled: true } });
      const r = await s.request('POST', '/api/v1/session', { body: { username: 'lan.nguyen', password: 'new-password-1' }, headers: fromIp() });
      expect(r.status).toBe(401);
      expect((await s.request('PATCH', `/api/v1/users/${supA.id}`, { cookie: a.cookie, body: { disabled: true } })).status).toBe(403);
    });
  });
}
