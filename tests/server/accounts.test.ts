// @vitest-environment node
// Accounts: a supervisor manages the volunteers of their own ward and never a
// peer supervisor; everyone changes their own password with the current one;
// new passwords are at least 10 characters and not common ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { ensureWardGroups } from '../../src/server/wards';

const TDP_1_TO_9 = Array.from({ length: 9 }, (_, i) => `TDP ${i + 1}`);
import { hashPassword } from '../../src/server/passwords';
import { uuidv7 } from '../../src/shared/ids';
import { MAX_FAILURES } from '../../src/server/throttle';

warnIfNoPostgres();

const PASSWORD_URL = '/api/v1/session/password';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`accounts on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let peer: TestUser; // another supervisor of the same ward
    let vol: TestUser;
    let supCookie: string;
    let ip = 0;
    const fromIp = () => ({ 'x-forwarded-for': `10.3.${Math.floor(++ip / 250)}.${ip % 250}` });
    const signIn = (username: string, password: string) =>
      s.request('POST', '/api/v1/session', { body: { username, password }, headers: fromIp() });
    async function cookieOf(u: { username: string; password: string }) {
      const r = await signIn(u.username, u.password);
      expect(r.status).toBe(200);
      return r.headers.get('set-cookie')!.split(';')[0]!;
    }
    const userRow = (id: string) => s.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    beforeAll(async () => {
      s = await startTestServer({ dialect, appOptions: { trustProxy: '127.0.0.1' } });
      // The wards' residential groups these tests use (a push refuses other groups: unknown_group).
      for (const ward of ['CUANAM', 'HOANKIEM']) await ensureWardGroups(s.db, ward, TDP_1_TO_9);
      sup = await s.createUser({ role: 'supervisor' });
      peer = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      supCookie = await cookieOf(sup);
    });
    afterAll(async () => {
      await s?.close();
    });

    describe('a supervisor cannot take over a peer supervisor', () => {
      it.each([
        ['reset their password', 'PATCH', '', { password: 'takeover-password-2025' }],
        ['disable them', 'PATCH', '', { disabled: true }],
        ['change their groups', 'PATCH', '', { groups: ['TDP 9'] }],
        ['rename them', 'PATCH', '', { displayName: 'Not me' }],
        ['revoke their sessions', 'POST', '/revoke', undefined],
      ])('%s: 403 forbidden, and nothing changes', async (_label, method, suffix, body) => {
        const peerCookie = await cookieOf(peer);
        const before = await userRow(peer.id);
        const r = await s.request(method, `/api/v1/users/${peer.id}${suffix}`, { cookie: supCookie, body });
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
        expect(await userRow(peer.id)).toEqual(before);
        expect((await s.request('GET', '/api/v1/session', { cookie: peerCookie })).status).toBe(200);
        expect((await signIn(peer.username, peer.password)).status).toBe(200);
      });

      it('still manages the volunteers of the ward', async () => {
        const r = await s.request('PATCH', `/api/v1/users/${vol.id}`, { cookie: supCookie, body: { groups: ['TDP 1', 'TDP 2'] } });
        expect(r.status).toBe(200);
        expect((await s.request('POST', `/api/v1/users/${vol.id}/revoke`, { cookie: supCookie })).status).toBe(200);
      });
    });

    describe('changing your own password', () => {
      it('cannot be done through PATCH /users/:id', async () => {
        const before = await userRow(sup.id);
        const r = await s.request('PATCH', `/api/v1/users/${sup.id}`, { cookie: supCookie, body: { password: 'my-own-new-password' } });
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
        expect(r.body.error.message).toMatch(/session\/password/);
        expect((await userRow(sup.id)).password_hash).toBe(before.password_hash);
      });

      it('needs the current password: a wrong one is 403 wrong_password and changes nothing', async () => {
        const u = await s.createUser();
        const cookie = await cookieOf(u);
        const before = await userRow(u.id);
        const r = await s.request('PUT', PASSWORD_URL, { cookie, body: { currentPassword: 'not-my-password', newPassword: 'a-brand-new-password' } });
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('wrong_password');
        expect(await userRow(u.id)).toEqual(before);
        expect((await s.request('GET', '/api/v1/session', { cookie })).status).toBe(200);
      });

      it('with the current password: sets the new one, keeps this session and ends the others', async () => {
        const u = await s.createUser();
        const here = await cookieOf(u);
        const otherDevice = await cookieOf(u);
        const r = await s.request('PUT', PASSWORD_URL, { cookie: here, body: { currentPassword: u.password, newPassword: 'a-brand-new-password' } });
        expect(r.status).toBe(204);
        expect((await s.request('GET', '/api/v1/session', { cookie: here })).status).toBe(200);
        expect((await s.request('GET', '/api/v1/session', { cookie: otherDevice })).status).toBe(401);
        expect((await signIn(u.username, u.password)).status).toBe(401);
        expect((await signIn(u.username, 'a-brand-new-password')).status).toBe(200);
      });

      it('needs a session', async () => {
        const r = await s.request('PUT', PASSWORD_URL, { body: { currentPassword: vol.password, newPassword: 'a-brand-new-password' } });
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe('unauthenticated');
      });

      it('is throttled like sign-in: guessing the current password stops after 10 failures', async () => {
        const u = await s.createUser();
        const cookie = await cookieOf(u);
        const statuses: number[] = [];
        for (let i = 0; i < MAX_FAILURES + 1; i++) {
          const r = await s.request('PUT', PASSWORD_URL, {
            cookie,
            body: { currentPassword: `guess-number-${i}`, newPassword: 'a-brand-new-password' },
            headers: fromIp(),
          });
          statuses.push(r.status);
        }
        expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(403));
        expect(statuses[MAX_FAILURES]).toBe(429);
      });
    });

    describe('new passwords are at least 10 characters and not common', () => {
      // The server's test users have the name in a random suffix; this one is fixed.
      const weak: [string, string, string][] = [
        ['12345678', '12345678', 'too_short'],
        ['9 characters', 'xq7-Lm2#p', 'too_short'],
        ['a common password', 'password123', 'common'],
        ['a keyboard walk', 'qwertyuiop', 'common'],
        ['a common Vietnamese one', 'matkhau2025', 'common'],
        ['a repeated word', 'trustno1trustno1', 'common'],
      ];

      it.each(weak)('creating a user with %s is 400 weak_password (%s)', async (_label, password, reason) => {
        const username = `weak-${uuidv7().slice(-8)}`;
        const r = await s.request('POST', '/api/v1/users', {
          cookie: supCookie,
          body: { username, password, displayName: 'Weak', role: 'volunteer', groups: [] },
        });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'weak_password', reason, message: expect.any(String) });
        expect(await s.db.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()).toBeUndefined();
      });

      it.each(weak)('resetting a volunteer to %s is 400 weak_password (%s)', async (_label, password, reason) => {
        const before = await userRow(vol.id);
        const r = await s.request('PATCH', `/api/v1/users/${vol.id}`, { cookie: supCookie, body: { password } });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'weak_password', reason });
        expect((await userRow(vol.id)).password_hash).toBe(before.password_hash);
      });

      it.each(weak)('changing your own to %s is 400 weak_password (%s)', async (_label, password, reason) => {
        const u = await s.createUser();
        const cookie = await cookieOf(u);
        const r = await s.request('PUT', PASSWORD_URL, { cookie, body: { currentPassword: u.password, newPassword: password } });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'weak_password', reason });
        expect((await signIn(u.username, u.password)).status).toBe(200);
      });

      it('refuses the username as the password', async () => {
        const r = await s.request('POST', '/api/v1/users', {
          cookie: supCookie,
          body: { username: 'nguyen.thi.lan', password: 'nguyen.thi.lan', displayName: 'Lan', role: 'volunteer', groups: [] },
        });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'weak_password', reason: 'common' });
      });

      it('accepts a long passphrase, Vietnamese included', async () => {
        const r = await s.request('POST', '/api/v1/users', {
          cookie: supCookie,
          body: { username: `ok-${uuidv7().slice(-8)}`, password: 'mật khẩu dài của Lan', displayName: 'Lan', role: 'volunteer', groups: [] },
        });
        expect(r.status).toBe(201);
      });

      it('existing users with a shorter password still sign in', async () => {
        const username = `old-${uuidv7().slice(-8)}`;
        await s.db.kysely
          .insertInto('users')
          .values({
            id: uuidv7(),
            username,
            display_name: 'Old account',
            role: 'volunteer',
            ward_code: 'CUANAM',
            groups: '[]',
            password_hash: await hashPassword('abc12345', 10),
            disabled: 0,
            created_at: new Date().toISOString(),
          })
          .execute();
        expect((await signIn(username, 'abc12345')).status).toBe(200);
      });
    });
  });
}
