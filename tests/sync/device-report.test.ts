// @vitest-environment node
// The engine tells the server about its device on every sync, and a revoked
// device is refused: the real engine against the real server (SQLite).
import 'fake-indexeddb/auto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { serverWithLanAndMinh, signedInDevice } from './harness';
import { createHousehold } from '../../src/app/db/repo';
import { clientIdOf } from '../../src/app/db/outbox';
import { devicesResponseSchema } from '../../src/shared/enrolment';
import { createHouseholdInput } from '../factories/records';

describe('device report', () => {
  const world = serverWithLanAndMinh();

  async function listed(clientId: string) {
    const sup = await world.s.createUser({ role: 'supervisor' });
    const { cookie } = await world.s.login(sup.username, sup.password);
    const r = await world.s.request('GET', '/api/v1/devices', { cookie });
    return { device: devicesResponseSchema.parse(r.body).find((d) => d.clientId === clientId), cookie };
  }

  it('a sync reports the app version, records waiting before the push and none after it', async () => {
    const d = await signedInDevice(world.s, world.lan);
    await createHousehold(d.db, d.actor, createHouseholdInput());
    await createHousehold(d.db, d.actor, createHouseholdInput());
    const pushed: unknown[] = [];
    d.fault = async (input, init, real) => {
      // Pushes over 1 KiB go gzipped (sync/http.ts).
      if (input.includes('/sync/push')) pushed.push(JSON.parse(init?.body instanceof Uint8Array ? gunzipSync(init.body).toString('utf8') : String(init?.body)).device);
      return real(input, init);
    };
    expect((await d.engine.syncNow()).ok).toBe(true);
    expect(pushed).toEqual([{ appVersion: expect.any(String), pending: 2, storagePersisted: false }]);
    const { device } = await listed(await clientIdOf(d.db));
    // The pull after the push reported again: nothing is waiting any more.
    expect(device).toMatchObject({ userId: world.lan.id, pending: 0, storagePersisted: false, lastPushAt: expect.any(String), lastPullAt: expect.any(String) });
  });

  it('after a supervisor revokes the device, its sync fails with forbidden and its records stay queued', async () => {
    const d = await signedInDevice(world.s, world.minh);
    expect((await d.engine.syncNow()).ok).toBe(true);
    const clientId = await clientIdOf(d.db);
    const { cookie } = await listed(clientId);
    expect((await world.s.request('POST', `/api/v1/devices/${clientId}/revoke`, { cookie })).status).toBe(200);
    await createHousehold(d.db, d.actor, createHouseholdInput());
    expect(await d.engine.syncNow()).toEqual({ ok: false, error: 'forbidden' });
    expect(await d.db.outbox.count()).toBe(1);
  });
});
