// @vitest-environment node
// Wards and groups are data, on SQLite and (when available) PostgreSQL:
// the list a supervisor or the city keeps, the groups a push and an account
// may name (unknown_group), a group that cannot be removed while in use
// (group_in_use), and the first run in the browser (POST /api/v1/setup).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import type { PushResponse } from '../../src/shared/protocol';
import { issueSetupToken } from '../../src/server/setup';
import { ensureWardGroups, readWard } from '../../src/server/wards';
import { sha256 } from '../../src/server/sessions';

warnIfNoPostgres();

const PASSWORD = 'mat-khau-that-la-dai';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`wards and groups on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let city: TestUser;
    let supCookie: string;
    let volCookie: string;
    let cityCookie: string;
    const supBox = new Outbox();

    const push = async (cookie: string, box: Outbox, ms: ReturnType<Outbox['create']>[]) => {
      const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(ms) });
      expect(r.status).toBe(200);
      return r.body as PushResponse;
    };
    const groupsOf = async (ward: string) => (await readWard(s.db, ward))?.groups;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      await ensureWardGroups(s.db, 'CUANAM', ['TDP 1', 'TDP 2']);
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      city = await s.createUser({ role: 'city' });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      cityCookie = (await s.login(city.username, city.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    describe('the list of groups', () => {
      it('GET /wards/:code answers the ward and its groups in order, for a volunteer of the ward', async () => {
        const r = await s.request('GET', '/api/v1/wards/CUANAM', { cookie: volCookie });
        expect(r.status).toBe(200);
        expect(r.body.ward).toMatchObject({
          code: 'CUANAM',
          groups: [
            { code: 'TDP 1', name: 'TDP 1', targetHouseholds: null },
            { code: 'TDP 2', name: 'TDP 2', targetHouseholds: null },
          ],
        });
      });

      it('PUT /wards/:code/groups renames, reorders, sets targets and adds groups', async () => {
        const body = [
          { code: 'TDP 2', name: 'Tổ dân phố số 2', targetHouseholds: 350 },
          { code: 'TDP 1', name: 'Tổ dân phố số 1' },
          { code: 'TDP 3', name: 'Tổ dân phố số 3', targetHouseholds: 0 },
        ];
        const r = await s.request('PUT', '/api/v1/wards/CUANAM/groups', { cookie: supCookie, body });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.ward.groups).toEqual([
          { code: 'TDP 2', name: 'Tổ dân phố số 2', targetHouseholds: 350 },
          { code: 'TDP 1', name: 'Tổ dân phố số 1', targetHouseholds: null },
          { code: 'TDP 3', name: 'Tổ dân phố số 3', targetHouseholds: 0 },
        ]);
        expect(await groupsOf('CUANAM')).toEqual(r.body.ward.groups);
      });

      it('refuses to remove a group a volunteer still has: 409 group_in_use, and nothing changes', async () => {
        const before = await groupsOf('CUANAM');
        const r = await s.request('PUT', '/api/v1/wards/CUANAM/groups', { cookie: supCookie, body: [{ code: 'TDP 2', name: 'TDP 2' }, { code: 'TDP 3', name: 'x' }] });
        expect(r.status).toBe(409);
        expect(r.body.error).toMatchObject({ code: 'group_in_use', groups: ['TDP 1'] });
        expect(await groupsOf('CUANAM')).toEqual(before);
      });

      it('refuses to remove a group that has records, even only a tombstone', async () => {
        const h = createHouseholdRecord({ group: 'TDP 3' });
        await push(supCookie, supBox, [supBox.create('household', h)]);
        await push(supCookie, supBox, [supBox.remove('household', h.id)]);
        const r = await s.request('PUT', '/api/v1/wards/CUANAM/groups', { cookie: cityCookie, body: [{ code: 'TDP 1', name: 'TDP 1' }, { code: 'TDP 2', name: 'TDP 2' }] });
        expect(r.status).toBe(409);
        expect(r.body.error).toMatchObject({ code: 'group_in_use', groups: ['TDP 3'] });
        expect((await groupsOf('CUANAM'))?.map((g) => g.code)).toEqual(['TDP 2', 'TDP 1', 'TDP 3']);
      });

      it('removes a group nobody uses', async () => {
        await ensureWardGroups(s.db, 'CUANAM', ['TDP 4']);
        expect((await groupsOf('CUANAM'))?.map((g) => g.code)).toEqual(['TDP 2', 'TDP 1', 'TDP 3', 'TDP 4']);
        const keep = (await groupsOf('CUANAM'))!.filter((g) => g.code !== 'TDP 4');
        const r = await s.request('PUT', '/api/v1/wards/CUANAM/groups', { cookie: supCookie, body: keep });
        expect(r.status).toBe(200);
        expect((await groupsOf('CUANAM'))?.map((g) => g.code)).toEqual(['TDP 2', 'TDP 1', 'TDP 3']);
      });

      it('refuses duplicate codes in the list (400 invalid_request)', async () => {
        const r = await s.request('PUT', '/api/v1/wards/CUANAM/groups', { cookie: supCookie, body: [{ code: 'TDP 1', name: 'a' }, { code: 'TDP 1', name: 'b' }] });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('invalid_request');
      });
    });

    describe('records and accounts name groups of their ward only', () => {
      it('push rejects a household in a group the ward does not have: unknown_group, and stores nothing of it', async () => {
        const h = createHouseholdRecord({ group: 'TDP 99' });
        const r = await push(supCookie, supBox, [supBox.create('household', h)]);
        expect(r.results[0]).toMatchObject({ status: 'rejected', error: { code: 'unknown_group', path: 'group' } });
        expect(await s.db.kysely.selectFrom('records').select('id').where('id', '=', h.id).executeTakeFirst()).toBeUndefined();
      });

      it('a typo is not a group: "TDP1" is not TDP 1', async () => {
        const h = createHouseholdRecord({ group: 'TDP1' });
        const r = await push(supCookie, supBox, [supBox.create('household', h)]);
        expect(r.results[0]?.error?.code).toBe('unknown_group');
      });

      it('push rejects moving a household to a group the ward does not have', async () => {
        const h = createHouseholdRecord({ group: 'TDP 1' });
        const created = await push(supCookie, supBox, [supBox.create('household', h)]);
        expect(created.results[0]?.status).toBe('applied');
        const moved = await push(supCookie, supBox, [supBox.update('household', h, { ...h, group: 'TDP 77' })]);
        expect(moved.results[0]).toMatchObject({ status: 'rejected', error: { code: 'unknown_group' } });
        const row = await s.db.kysely.selectFrom('records').select('group_code').where('id', '=', h.id).executeTakeFirstOrThrow();
        expect(row.group_code).toBe('TDP 1');
      });

      it('another ward\'s group of the same name does not count', async () => {
        await ensureWardGroups(s.db, 'HOANKIEM', ['TDP 50']);
        const h = createHouseholdRecord({ group: 'TDP 50' });
        const r = await push(supCookie, supBox, [supBox.create('household', h)]);
        expect(r.results[0]?.error?.code).toBe('unknown_group');
      });

      it('POST /users refuses a group the ward does not have: 400 unknown_group, no account', async () => {
        const r = await s.request('POST', '/api/v1/users', {
          cookie: supCookie,
          body: { username: 'typo.group', password: PASSWORD, displayName: 'Lan', role: 'volunteer', groups: ['TDP 1', 'TDP 11'] },
        });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'unknown_group', groups: ['TDP 11'] });
        expect(await s.db.kysely.selectFrom('users').select('id').where('username', '=', 'typo.group').executeTakeFirst()).toBeUndefined();
      });

      it('PATCH /users/:id refuses a group the ward does not have', async () => {
        const r = await s.request('PATCH', `/api/v1/users/${vol.id}`, { cookie: supCookie, body: { groups: ['TDP 12'] } });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('unknown_group');
        const row = await s.db.kysely.selectFrom('users').select('groups').where('id', '=', vol.id).executeTakeFirstOrThrow();
        expect(JSON.parse(row.groups)).toEqual(['TDP 1']);
      });
    });

    describe('wards (city)', () => {
      it('POST /wards creates a ward with no groups; a taken code is 409 conflict', async () => {
        const r = await s.request('POST', '/api/v1/wards', { cookie: cityCookie, body: { code: 'HANGBAC', name: 'Phường Hàng Bạc' } });
        expect(r.status).toBe(201);
        expect(r.body.ward).toMatchObject({ code: 'HANGBAC', name: 'Phường Hàng Bạc', groups: [], targetIndependent: null });
        const dup = await s.request('POST', '/api/v1/wards', { cookie: cityCookie, body: { code: 'HANGBAC', name: 'Khác' } });
        expect(dup.status).toBe(409);
        expect(dup.body.error.code).toBe('conflict');
        expect((await readWard(s.db, 'HANGBAC'))?.name).toBe('Phường Hàng Bạc');
      });

      it('the city gives the new ward groups and a supervisor, who then reads it', async () => {
        const put = await s.request('PUT', '/api/v1/wards/HANGBAC/groups', { cookie: cityCookie, body: [{ code: 'TDP 1', name: 'Tổ 1' }] });
        expect(put.status).toBe(200);
        const made = await s.request('POST', '/api/v1/users', {
          cookie: cityCookie,
          body: { username: 'sup.hangbac', password: PASSWORD, displayName: 'Lê Thị Hoa', role: 'supervisor', wardCode: 'HANGBAC' },
        });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        const { cookie } = await s.login('sup.hangbac', PASSWORD);
        const read = await s.request('GET', '/api/v1/wards/HANGBAC', { cookie });
        expect(read.body.ward.groups).toEqual([{ code: 'TDP 1', name: 'Tổ 1', targetHouseholds: null }]);
      });

      it('a supervisor of a ward that does not exist cannot be made (404), and nothing is created', async () => {
        const r = await s.request('POST', '/api/v1/users', {
          cookie: cityCookie,
          body: { username: 'sup.nowhere', password: PASSWORD, displayName: 'X', role: 'supervisor', wardCode: 'NOWHERE' },
        });
        expect(r.status).toBe(404);
        expect(await readWard(s.db, 'NOWHERE')).toBeUndefined();
      });

      it('GET /wards lists every ward with its groups', async () => {
        const r = await s.request('GET', '/api/v1/wards', { cookie: cityCookie });
        expect(r.status).toBe(200);
        expect(r.body.wards.map((w: { code: string }) => w.code)).toEqual(['CUANAM', 'HANGBAC', 'HOANKIEM']);
        expect(r.body.wards[0].groups.map((g: { code: string }) => g.code)).toEqual(['TDP 2', 'TDP 1', 'TDP 3']);
      });
    });
  });

  describe.skipIf(skip)(`first run on ${dialect}`, () => {
    let s: TestServer;
    let earliest: string;
    beforeAll(async () => {
      s = await startTestServer({ dialect });
    });
    afterAll(async () => {
      await s?.close();
    });

    const setup = (body: Record<string, unknown>) => s.request('POST', '/api/v1/setup', { body });
    const good = (token: string) => ({
      token,
      username: 'Admin',
      password: PASSWORD,
      displayName: 'Sở Thông tin',
      ward: { code: 'CUANAM', name: 'Phường Cửa Nam' },
      groups: 'TDP 1-28\nNhà văn hoá\tĐiểm Bình dân học vụ số',
    });

    it('with no user, GET /setup says it is needed, and a token is issued and stored hashed', async () => {
      expect((await s.request('GET', '/api/v1/setup')).body).toEqual({ needed: true });
      const token = (await issueSetupToken(s.db))!;
      earliest = token;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const rows = await s.db.kysely.selectFrom('setup_tokens').selectAll().execute();
      expect(rows.map((r) => r.token_sha256)).toEqual([sha256(token)]);
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('a wrong token is 403 forbidden and creates nothing', async () => {
      const r = await setup(good('not-the-token-at-all'));
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect(await s.db.kysely.selectFrom('users').selectAll().execute()).toEqual([]);
      expect(await readWard(s.db, 'CUANAM')).toBeUndefined();
    });

    it('a weak password is 400 weak_password and creates nothing', async () => {
      const token = (await issueSetupToken(s.db))!;
      const r = await setup({ ...good(token), password: 'short' });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('weak_password');
      expect(await s.db.kysely.selectFrom('users').selectAll().execute()).toEqual([]);
      expect(await s.db.kysely.selectFrom('wards').selectAll().execute()).toEqual([]);
    });

    it('a list with a duplicate line is 400 invalid_request naming the line', async () => {
      const token = (await issueSetupToken(s.db))!;
      const r = await setup({ ...good(token), groups: 'TDP 1\nTDP 2\nTDP 1' });
      expect(r.status).toBe(400);
      expect(r.body.error.issues).toEqual([{ path: 'groups', message: 'line 3: duplicate' }]);
    });

    it('the earliest token is still valid: creates the city user, the ward and its 29 groups, and signs in', async () => {
      expect(await s.db.kysely.selectFrom('setup_tokens').selectAll().execute()).toHaveLength(3);
      const r = await setup(good(earliest));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.user).toMatchObject({ username: 'admin', role: 'city', wardCode: '*', groups: [] });
      const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
      const me = await s.request('GET', '/api/v1/session', { cookie });
      expect(me.body.user.role).toBe('city');
      const ward = await s.request('GET', '/api/v1/wards/CUANAM', { cookie });
      expect(ward.body.ward.name).toBe('Phường Cửa Nam');
      const codes = ward.body.ward.groups.map((g: { code: string }) => g.code);
      expect(codes.length).toBe(29);
      expect(codes.slice(0, 3)).toEqual(['TDP 1', 'TDP 2', 'TDP 3']);
      expect(codes[27]).toBe('TDP 28');
      expect(ward.body.ward.groups[28]).toEqual({ code: 'Nhà văn hoá', name: 'Điểm Bình dân học vụ số', targetHouseholds: null });
      // Every token is gone.
      expect(await s.db.kysely.selectFrom('setup_tokens').selectAll().execute()).toEqual([]);
    });

    it('once a user exists: 410 setup_done, GET says not needed, and no start issues a token', async () => {
      const r = await setup(good('any-token-at-all'));
      expect(r.status).toBe(410);
      expect(r.body.error.code).toBe('setup_done');
      expect((await s.request('GET', '/api/v1/setup')).body).toEqual({ needed: false });
      expect(await issueSetupToken(s.db)).toBeUndefined();
      expect(await s.db.kysely.selectFrom('users').selectAll().execute()).toHaveLength(1);
    });
  });

  describe.skipIf(skip)(`two setups at once on ${dialect}`, () => {
    it('with two tokens make exactly one city user: one 201, one 410 setup_done', async () => {
      const s = await startTestServer({ dialect });
      try {
        const tokens = [(await issueSetupToken(s.db))!, (await issueSetupToken(s.db))!];
        const answers = await Promise.all(
          tokens.map((token, i) =>
            s.request('POST', '/api/v1/setup', {
              body: { token, username: `admin${i}`, password: PASSWORD, displayName: 'A', ward: { code: `W${i}`, name: 'P' }, groups: 'TDP 1' },
            }),
          ),
        );
        expect(answers.map((a) => a.status).sort()).toEqual([201, 410]);
        expect(await s.db.kysely.selectFrom('users').select('role').execute()).toEqual([{ role: 'city' }]);
        expect(await s.db.kysely.selectFrom('wards').select('code').execute()).toHaveLength(1);
      } finally {
        await s.close();
      }
    });
  });
}
