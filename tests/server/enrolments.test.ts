// @vitest-environment node
// Enrolment by QR on SQLite and PostgreSQL: a supervisor creates a one-time
// link, the person who scans it picks a username and password and is signed
// in. Single use (even when two phones redeem at once), 24 h, cancellable,
// throttled like sign-in; a re-enrolment resets an account's password and
// keeps its id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { ENROLMENT_TTL_MS } from '../../src/shared/enrolment';
import { sha256 } from '../../src/server/sessions';
import { MAX_FAILURES } from '../../src/server/throttle';
import { ensureWardGroups } from '../../src/server/wards';

warnIfNoPostgres();

const GOOD_PASSWORD = 'lantern orchid violet river';
const OTHER_PASSWORD = 'copper kettle morning tram';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`enrolment on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let supCookie: string;
    let ip = 0;
    const fromIp = () => ({ 'x-forwarded-for': `10.9.${Math.floor(++ip / 250)}.${ip % 250}` });
    let n = 0;
    const uniqueName = (prefix = 'vol') => `${prefix}-${dialect}-${++n}`;

    async function enrol(body: Record<string, unknown> = {}) {
      const r = await s.request('POST', '/api/v1/enrolments', {
        cookie: supCookie,
        body: { role: 'volunteer', groups: ['TDP 3'], displayName: 'Trần Văn Minh', ...body },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string; token: string; url: string; expiresAt: string };
    }
    const redeem = (body: Record<string, unknown>) => s.request('POST', '/api/v1/enrolments/redeem', { body, headers: fromIp() });
    const enrolmentRow = (id: string) => s.db.kysely.selectFrom('enrolments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    beforeAll(async () => {
      s = await startTestServer({ dialect, appOptions: { trustProxy: '127.0.0.1' } });
      sup = await s.createUser({ role: 'supervisor', groups: [] });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      await ensureWardGroups(s.db, sup.wardCode, ['TDP 1', 'TDP 3', 'TDP 4']); // the groups the links below name
    });
    afterAll(async () => {
      await s?.close();
    });

    it('creates a link to #/enrol/<token> on the request origin, valid 24 h, storing only the token hash', async () => {
      const before = Date.now();
      const e = await enrol();
      expect(e.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(e.url).toBe(`http://127.0.0.1:${s.port}/#/enrol/${e.token}`);
      const ttl = Date.parse(e.expiresAt) - before;
      expect(ttl).toBeGreaterThan(ENROLMENT_TTL_MS - 5000);
      expect(ttl).toBeLessThanOrEqual(ENROLMENT_TTL_MS + 5000);
      const row = await enrolmentRow(e.id);
      expect(row.token_sha256).toBe(sha256(e.token));
      expect(JSON.stringify(row)).not.toContain(e.token);
      expect(row).toMatchObject({ ward_code: sup.wardCode, role: 'volunteer', created_by: sup.id, used_at: null, cancelled_at: null });
    });

    it('names only groups of the ward: another group is 400 unknown_group and no link is made', async () => {
      const before = await s.db.kysely.selectFrom('enrolments').select('id').execute();
      const r = await s.request('POST', '/api/v1/enrolments', { cookie: supCookie, body: { role: 'volunteer', groups: ['TDP 3', 'TDP 99'], displayName: 'Lê Văn Tám' } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'unknown_group', groups: ['TDP 99'] });
      expect(await s.db.kysely.selectFrom('enrolments').select('id').execute()).toHaveLength(before.length);
    });

    it('behind a trusted proxy, the link uses the public scheme and host', async () => {
      const r = await s.request('POST', '/api/v1/enrolments', {
        cookie: supCookie,
        body: { role: 'volunteer', groups: [], displayName: 'Minh' },
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gocua.example.vn' },
      });
      expect(r.status).toBe(201);
      expect(r.body.url).toBe(`https://gocua.example.vn/#/enrol/${r.body.token}`);
    });

    it('with PUBLIC_URL set, the link uses it whatever the request said', async () => {
      const other = await startTestServer({ dialect, appOptions: { publicUrl: 'https://gocua.hanoi.example/' } });
      try {
        const boss = await other.createUser({ role: 'supervisor' });
        const { cookie } = await other.login(boss.username, boss.password);
        const r = await other.request('POST', '/api/v1/enrolments', { cookie, body: { role: 'volunteer', groups: [], displayName: 'Minh' } });
        expect(r.body.url).toBe(`https://gocua.hanoi.example/#/enrol/${r.body.token}`);
      } finally {
        await other.close();
      }
    });

    it('lists pending enrolments of the ward without their tokens', async () => {
      const e = await enrol({ displayName: 'Lê Thị Hoa', role: 'responder', groups: [] });
      const r = await s.request('GET', '/api/v1/enrolments', { cookie: supCookie });
      expect(r.status).toBe(200);
      const listed = (r.body.enrolments as { id: string }[]).find((x) => x.id === e.id);
      expect(listed).toEqual({
        id: e.id,
        role: 'responder',
        groups: [],
        displayName: 'Lê Thị Hoa',
        userId: null,
        createdBy: sup.id,
        createdAt: expect.any(String),
        expiresAt: e.expiresAt,
      });
      expect(JSON.stringify(r.body)).not.toContain(e.token);
    });

    it('redeeming creates the account with the enrolment’s role, groups and name, and signs it in', async () => {
      const e = await enrol({ groups: ['TDP 3', 'TDP 4'], displayName: 'Phạm Thu Trang' });
      const peek = await s.request('POST', '/api/v1/enrolments/peek', { body: { token: e.token }, headers: fromIp() });
      expect(peek.status).toBe(200);
      expect(peek.body).toEqual({ kind: 'new', role: 'volunteer', displayName: 'Phạm Thu Trang', expiresAt: e.expiresAt });
      const username = uniqueName();
      const r = await redeem({ token: e.token, username: username.toUpperCase(), password: GOOD_PASSWORD });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.user).toMatchObject({ username, role: 'volunteer', groups: ['TDP 3', 'TDP 4'], displayName: 'Phạm Thu Trang', wardCode: sup.wardCode });
      const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
      const me = await s.request('GET', '/api/v1/session', { cookie });
      expect(me.body.user.id).toBe(r.body.user.id);
      expect(await enrolmentRow(e.id)).toMatchObject({ used_by: r.body.user.id, used_at: expect.any(String) });
      // And the password works for an ordinary sign-in.
      await s.login(username, GOOD_PASSWORD);
    });

    it('a used link answers 410 enrolment_used and does not appear as pending', async () => {
      const e = await enrol();
      expect((await redeem({ token: e.token, username: uniqueName(), password: GOOD_PASSWORD })).status).toBe(200);
      const again = await redeem({ token: e.token, username: uniqueName(), password: GOOD_PASSWORD });
      expect(again.status).toBe(410);
      expect(again.body.error.code).toBe('enrolment_used');
      const peek = await s.request('POST', '/api/v1/enrolments/peek', { body: { token: e.token }, headers: fromIp() });
      expect(peek.body.error.code).toBe('enrolment_used');
      const list = await s.request('GET', '/api/v1/enrolments', { cookie: supCookie });
      expect((list.body.enrolments as { id: string }[]).map((x) => x.id)).not.toContain(e.id);
      const cancel = await s.request('DELETE', `/api/v1/enrolments/${e.id}`, { cookie: supCookie });
      expect(cancel.status).toBe(410);
      expect(cancel.body.error.code).toBe('enrolment_used');
    });

    it('a link older than 24 h answers 410 enrolment_expired, by the server clock', async () => {
      const e = await enrol();
      s.clock.offsetMs = ENROLMENT_TTL_MS - 60_000;
      try {
        const peek = await s.request('POST', '/api/v1/enrolments/peek', { body: { token: e.token }, headers: fromIp() });
        expect(peek.status).toBe(200);
        s.clock.offsetMs = ENROLMENT_TTL_MS + 1000;
        const r = await redeem({ token: e.token, username: uniqueName(), password: GOOD_PASSWORD });
        expect(r.status).toBe(410);
        expect(r.body.error.code).toBe('enrolment_expired');
        const list = await s.request('GET', '/api/v1/enrolments', { cookie: supCookie });
        expect((list.body.enrolments as { id: string }[]).map((x) => x.id)).not.toContain(e.id);
      } finally {
        s.clock.offsetMs = 0;
      }
      expect((await enrolmentRow(e.id)).used_at).toBeNull();
    });

    it('a cancelled link answers 410 enrolment_cancelled; cancelling twice is fine', async () => {
      const e = await enrol();
      expect((await s.request('DELETE', `/api/v1/enrolments/${e.id}`, { cookie: supCookie })).status).toBe(204);
      expect((await s.request('DELETE', `/api/v1/enrolments/${e.id}`, { cookie: supCookie })).status).toBe(204);
      const r = await redeem({ token: e.token, username: uniqueName(), password: GOOD_PASSWORD });
      expect(r.status).toBe(410);
      expect(r.body.error.code).toBe('enrolment_cancelled');
    });

    it('an unknown token answers 404, and ten of them from one address answer 429', async () => {
      const headers = { 'x-forwarded-for': '10.200.0.1' };
      const fake = () => 'x'.repeat(30) + Math.random().toString(36).slice(2, 15).padEnd(13, 'y');
      for (let i = 0; i < MAX_FAILURES; i++) {
        const r = await s.request('POST', '/api/v1/enrolments/redeem', { body: { token: fake(), username: uniqueName(), password: GOOD_PASSWORD }, headers });
        expect(r.status).toBe(404);
        expect(r.body.error.code).toBe('not_found');
      }
      const e = await enrol();
      const blocked = await s.request('POST', '/api/v1/enrolments/redeem', { body: { token: e.token, username: uniqueName(), password: GOOD_PASSWORD }, headers });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe('too_many_attempts');
      expect((await enrolmentRow(e.id)).used_at).toBeNull();
      // Another address is not blocked.
      expect((await redeem({ token: e.token, username: uniqueName(), password: GOOD_PASSWORD })).status).toBe(200);
    });

    it('weak passwords and failed redeems with a valid link do not count towards the throttle', async () => {
      const headers = { 'x-forwarded-for': '10.201.0.1' };
      const e = await enrol();
      for (let i = 0; i < MAX_FAILURES + 2; i++) {
        const r = await s.request('POST', '/api/v1/enrolments/redeem', { body: { token: e.token, username: uniqueName(), password: 'matkhau2025' }, headers });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('weak_password');
      }
      const r = await s.request('POST', '/api/v1/enrolments/redeem', { body: { token: e.token, username: uniqueName(), password: GOOD_PASSWORD }, headers });
      expect(r.status).toBe(200);
    });

    it('a taken username answers 409 and leaves the link usable', async () => {
      const e = await enrol();
      const r = await redeem({ token: e.token, username: sup.username, password: GOOD_PASSWORD });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('conflict');
      expect((await enrolmentRow(e.id)).used_at).toBeNull();
      expect((await redeem({ token: e.token, username: uniqueName(), password: GOOD_PASSWORD })).status).toBe(200);
    });

    it('of eight phones redeeming one link at once, exactly one gets the account', async () => {
      const e = await enrol();
      const names = Array.from({ length: 8 }, () => uniqueName('race'));
      const results = await Promise.all(names.map((username) => redeem({ token: e.token, username, password: GOOD_PASSWORD })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 410, 410, 410, 410, 410, 410, 410]);
      for (const r of results.filter((x) => x.status === 410)) expect(r.body.error.code).toBe('enrolment_used');
      const created = await s.db.kysely.selectFrom('users').select('username').where('username', 'in', names).execute();
      expect(created).toHaveLength(1);
      expect((await enrolmentRow(e.id)).used_by).toBe(results.find((r) => r.status === 200)!.body.user.id);
    });

    describe('re-enrolment of a volunteer who forgot the password', () => {
      it('keeps the user id and username, sets the new password and ends the old sessions', async () => {
        const vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
        const oldCookie = (await s.login(vol.username, vol.password)).cookie;
        const r = await s.request('POST', `/api/v1/users/${vol.id}/enrolment`, { cookie: supCookie });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        const list = await s.request('GET', '/api/v1/enrolments', { cookie: supCookie });
        expect((list.body.enrolments as { id: string; userId: string }[]).find((x) => x.id === r.body.id)?.userId).toBe(vol.id);
        const peek = await s.request('POST', '/api/v1/enrolments/peek', { body: { token: r.body.token }, headers: fromIp() });
        expect(peek.body).toMatchObject({ kind: 'reset', username: vol.username });
        const done = await redeem({ token: r.body.token, password: OTHER_PASSWORD });
        expect(done.status, JSON.stringify(done.body)).toBe(200);
        expect(done.body.user).toMatchObject({ id: vol.id, username: vol.username, groups: ['TDP 1'] });
        expect((await s.request('GET', '/api/v1/session', { cookie: oldCookie })).status).toBe(401);
        await s.login(vol.username, OTHER_PASSWORD);
        const old = await s.request('POST', '/api/v1/session', { body: { username: vol.username, password: vol.password }, headers: fromIp() });
        expect(old.status).toBe(401);
        expect(await s.db.kysely.selectFrom('users').select('id').where('username', '=', vol.username).execute()).toEqual([{ id: vol.id }]);
      });

      it('a newer re-enrolment cancels the older one; another username is refused', async () => {
        const vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
        const first = await s.request('POST', `/api/v1/users/${vol.id}/enrolment`, { cookie: supCookie });
        const second = await s.request('POST', `/api/v1/users/${vol.id}/enrolment`, { cookie: supCookie });
        expect((await redeem({ token: first.body.token, password: OTHER_PASSWORD })).body.error.code).toBe('enrolment_cancelled');
        const renamed = await redeem({ token: second.body.token, username: 'someone-else', password: OTHER_PASSWORD });
        expect(renamed.status).toBe(400);
        expect(renamed.body.error.code).toBe('invalid_request');
        expect((await redeem({ token: second.body.token, username: vol.username, password: OTHER_PASSWORD })).status).toBe(200);
      });

      it('is refused for a peer supervisor (403), another ward’s user (404), oneself (403) and a disabled account (409)', async () => {
        const peer = await s.createUser({ role: 'supervisor' });
        const far = await s.createUser({ role: 'volunteer', wardCode: 'HOANKIEM' });
        const off = await s.createUser({ role: 'volunteer' });
        await s.db.kysely.updateTable('users').set({ disabled: 1 }).where('id', '=', off.id).execute();
        const at = (id: string) => s.request('POST', `/api/v1/users/${id}/enrolment`, { cookie: supCookie });
        expect((await at(peer.id)).status).toBe(403);
        expect((await at(far.id)).status).toBe(404);
        expect((await at(sup.id)).status).toBe(403);
        expect((await at(off.id)).status).toBe(409);
        expect((await at('no-such-user')).status).toBe(404);
      });
    });

    describe('who may call what', () => {
      const roles = ['anonymous', 'volunteer', 'responder', 'city', 'supervisor of another ward'] as const;
      const cookies = new Map<string, string>();
      let vol: TestUser;
      let pendingId: string;
      beforeAll(async () => {
        vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
        const users = {
          volunteer: vol,
          responder: await s.createUser({ role: 'responder' }),
          city: await s.createUser({ role: 'city', wardCode: '*' }),
          'supervisor of another ward': await s.createUser({ role: 'supervisor', wardCode: 'HOANKIEM' }),
        };
        for (const [role, u] of Object.entries(users)) cookies.set(role, (await s.login(u.username, u.password)).cookie);
        pendingId = (await enrol()).id;
      });
      const endpoints = [
        { name: 'POST /enrolments', method: 'POST', url: () => '/api/v1/enrolments', body: { role: 'volunteer', groups: [], displayName: 'X' } },
        { name: 'GET /enrolments', method: 'GET', url: () => '/api/v1/enrolments' },
        { name: 'DELETE /enrolments/:id', method: 'DELETE', url: () => `/api/v1/enrolments/${pendingId}` },
        { name: 'POST /users/:id/enrolment', method: 'POST', url: () => `/api/v1/users/${vol.id}/enrolment` },
      ];
      const cases = endpoints.flatMap((e) => roles.map((role) => [`${e.name} as ${role}`, e, role] as const));
      it.each(cases)('%s is refused and changes nothing', async (_, e, role) => {
        const before = await s.db.kysely.selectFrom('enrolments').selectAll().orderBy('id').execute();
        const cookie = cookies.get(role);
        const r = await s.request(e.method, e.url(), { ...(cookie ? { cookie } : {}), ...(e.body ? { body: e.body } : {}) });
        if (role === 'anonymous') expect(r.status).toBe(401);
        else if (role === 'supervisor of another ward' && e.method !== 'POST' && e.method !== 'GET') expect(r.status).toBe(404);
        else if (role === 'supervisor of another ward' && e.name === 'POST /users/:id/enrolment') expect(r.status).toBe(404);
        else if (role === 'supervisor of another ward') {
          // Allowed, but only ever about their own ward: nothing of CUANAM is listed.
          expect([200, 201]).toContain(r.status);
          if (e.method === 'GET') expect((r.body.enrolments as { id: string }[]).map((x) => x.id)).not.toContain(pendingId);
          else await s.db.kysely.deleteFrom('enrolments').where('ward_code', '=', 'HOANKIEM').execute();
          return;
        } else expect(r.status).toBe(403);
        expect(await s.db.kysely.selectFrom('enrolments').selectAll().orderBy('id').execute()).toEqual(before);
      });
    });
  });
}
