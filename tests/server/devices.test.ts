// @vitest-environment node
// Devices on SQLite and PostgreSQL: each push and pull records what the device
// reports (app version, records waiting, persistent storage); supervisors list
// their ward's devices, the city any ward's; a revoked device's pushes and
// pulls answer 403 device_revoked and change nothing. Devices from before the
// report (protocol 1 without it) keep syncing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import { devicesResponseSchema } from '../../src/shared/enrolment';

warnIfNoPostgres();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`devices on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let supCookie: string;
    let volCookie: string;
    let farCookie: string;
    let cityCookie: string;
    let farVolCookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      const far = await s.createUser({ role: 'supervisor', wardCode: 'HOANKIEM' });
      const farVol = await s.createUser({ role: 'volunteer', wardCode: 'HOANKIEM', groups: ['TDP 1'] });
      const city = await s.createUser({ role: 'city', wardCode: '*' });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      farCookie = (await s.login(far.username, far.password)).cookie;
      farVolCookie = (await s.login(farVol.username, farVol.password)).cookie;
      cityCookie = (await s.login(city.username, city.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const devices = async (cookie: string, query = '') => {
      const r = await s.request('GET', `/api/v1/devices${query}`, { cookie });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return devicesResponseSchema.parse(r.body);
    };
    const pushWith = (box: Outbox, cookie: string, device?: object, mutations = [box.create('household', createHouseholdRecord())]) =>
      s.request('POST', '/api/v1/sync/push', { cookie, body: { ...box.body(mutations), ...(device ? { device } : {}) } });

    it('records the report of each push and pull, and lists it for the ward’s supervisor', async () => {
      const box = new Outbox();
      const push = await pushWith(box, volCookie, { appVersion: '0.1.0', pending: 3, storagePersisted: false });
      expect(push.status, JSON.stringify(push.body)).toBe(200);
      let mine = (await devices(supCookie)).find((d) => d.clientId === box.clientId);
      expect(mine).toMatchObject({ userId: vol.id, displayName: vol.displayName, appVersion: '0.1.0', pending: 3, storagePersisted: false, lastPullAt: null, revokedAt: null });
      expect(mine!.lastPushAt).toEqual(expect.any(String));

      const pull = await s.request('GET', `/api/v1/sync/pull?cursor=0&client=${box.clientId}&appVersion=0.1.1&pending=0&persisted=1`, { cookie: volCookie });
      expect(pull.status).toBe(200);
      mine = (await devices(supCookie)).find((d) => d.clientId === box.clientId);
      expect(mine).toMatchObject({ appVersion: '0.1.1', pending: 0, storagePersisted: true, lastPullAt: expect.any(String) });
    });

    it('a device that reports nothing (protocol 1 before reports) still syncs and is listed by its times', async () => {
      const box = new Outbox();
      expect((await pushWith(box, volCookie)).status).toBe(200);
      expect((await s.request('GET', '/api/v1/sync/pull?cursor=0', { cookie: volCookie })).status).toBe(200);
      const mine = (await devices(supCookie)).find((d) => d.clientId === box.clientId);
      expect(mine).toMatchObject({ appVersion: null, pending: null, storagePersisted: null, lastPushAt: expect.any(String) });
    });

    it('a half report on a pull is refused with 400 and records nothing', async () => {
      const r = await s.request('GET', '/api/v1/sync/pull?cursor=0&client=client-halfreport&pending=2', { cookie: volCookie });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      expect((await devices(supCookie)).map((d) => d.clientId)).not.toContain('client-halfreport');
    });

    it('a supervisor sees only their ward; the city sees any ward, or all', async () => {
      const far = new Outbox();
      expect((await pushWith(far, farVolCookie, { appVersion: '0.1.0', pending: 0, storagePersisted: true })).status).toBe(200);
      expect((await devices(supCookie)).map((d) => d.clientId)).not.toContain(far.clientId);
      expect((await devices(farCookie)).map((d) => d.clientId)).toEqual([far.clientId]);
      expect((await devices(cityCookie, '?ward=HOANKIEM')).map((d) => d.clientId)).toEqual([far.clientId]);
      expect((await devices(cityCookie)).map((d) => d.clientId)).toContain(far.clientId);
      const other = await s.request('GET', '/api/v1/devices?ward=HOANKIEM', { cookie: supCookie });
      expect(other.status).toBe(403);
      expect((await s.request('GET', '/api/v1/devices', { cookie: volCookie })).status).toBe(403);
      expect((await s.request('GET', '/api/v1/devices')).status).toBe(401);
    });

    it('a revoked device’s pushes and pulls answer 403 device_revoked and change nothing; the user’s other device syncs', async () => {
      const phone = new Outbox();
      const tablet = new Outbox();
      expect((await pushWith(phone, volCookie, { appVersion: '0.1.0', pending: 1, storagePersisted: true })).status).toBe(200);
      expect((await pushWith(tablet, volCookie)).status).toBe(200);
      const r = await s.request('POST', `/api/v1/devices/${phone.clientId}/revoke`, { cookie: supCookie });
      expect(r.status).toBe(200);
      expect(r.body.revokedAt).toEqual(expect.any(String));
      const again = await s.request('POST', `/api/v1/devices/${phone.clientId}/revoke`, { cookie: supCookie });
      expect(again.body.revokedAt).toBe(r.body.revokedAt);

      const recordsBefore = await s.db.kysely.selectFrom('records').select(['id', 'version']).orderBy('id').execute();
      const h = createHouseholdRecord();
      const push = await pushWith(phone, volCookie, { appVersion: '0.1.0', pending: 9, storagePersisted: true }, [phone.create('household', h)]);
      expect(push.status).toBe(403);
      expect(push.body.error.code).toBe('device_revoked');
      const pull = await s.request('GET', `/api/v1/sync/pull?cursor=0&client=${phone.clientId}&appVersion=0.1.0&pending=9&persisted=1`, { cookie: volCookie });
      expect(pull.status).toBe(403);
      expect(pull.body.error.code).toBe('device_revoked');
      expect(await s.db.kysely.selectFrom('records').select(['id', 'version']).orderBy('id').execute()).toEqual(recordsBefore);
      const listed = (await devices(supCookie)).find((d) => d.clientId === phone.clientId);
      expect(listed).toMatchObject({ pending: 1, revokedAt: r.body.revokedAt });

      expect((await pushWith(tablet, volCookie)).status).toBe(200);
    });

    it('revoking is for the ward’s supervisor: 404 for another ward’s device or an unknown one, 403 for other roles', async () => {
      const far = new Outbox();
      expect((await pushWith(far, farVolCookie)).status).toBe(200);
      const at = (clientId: string, cookie?: string) => s.request('POST', `/api/v1/devices/${clientId}/revoke`, cookie ? { cookie } : {});
      expect((await at(far.clientId, supCookie)).status).toBe(404);
      expect((await at('client-never-seen', supCookie)).status).toBe(404);
      expect((await at(far.clientId, cityCookie)).status).toBe(403);
      expect((await at(far.clientId, farVolCookie)).status).toBe(403);
      expect((await at(far.clientId)).status).toBe(401);
      const row = await s.db.kysely.selectFrom('devices').select('revoked_at').where('client_id', '=', far.clientId).executeTakeFirstOrThrow();
      expect(row.revoked_at).toBeNull();
    });

    it('another user naming a known clientId on a pull is refused', async () => {
      const box = new Outbox();
      expect((await pushWith(box, volCookie)).status).toBe(200);
      const r = await s.request('GET', `/api/v1/sync/pull?cursor=0&client=${box.clientId}`, { cookie: supCookie });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    });
  });
}
