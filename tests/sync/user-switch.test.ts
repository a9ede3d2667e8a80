// @vitest-environment node
// Two volunteers on one phone, against the real server (SQLite): Lan's queue
// is never synced under Minh's session, whether Lan signed out mid-sync or
// another tab signed Minh in, and Lan's queue syncs at her next sign-in.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { TestUser } from '../server/helpers';
import { createDevice, type Device } from './device';
import { serverWithLanAndMinh, signedInDevice } from './harness';
import { createHousehold } from '../../src/app/db/repo';
import { createHouseholdInput } from '../factories/records';

/** Runs `body` with the minimal browser surface that engine.start() and stop() use. */
async function withBrowserStubs(body: () => Promise<void>): Promise<void> {
  vi.stubGlobal('window', { addEventListener() {}, removeEventListener() {} });
  vi.stubGlobal('document', { addEventListener() {}, removeEventListener() {}, visibilityState: 'hidden' });
  vi.stubGlobal('navigator', {});
  try {
    await body();
  } finally {
    vi.unstubAllGlobals();
  }
}

/**
 * The engine starts and its first push hangs on the network; Lan signs out
 * (SessionContext's effect cleanup stops the engine); Minh signs in on the same
 * phone, so the cookie jar now holds Minh's session; then the poor connection
 * drops, with the shortest backoff (1 s) in force.
 */
async function signOutWhilePushHangs(a: Device, minh: TestUser): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  a.fault = async () => {
    entered();
    await released;
    throw new TypeError('Failed to fetch');
  };
  await a.engine.start();
  await inFlight;
  a.engine.stop();
  await a.login(minh.username, minh.password);
  const random = vi.spyOn(Math, 'random').mockReturnValue(0);
  release();
  await new Promise((r) => setTimeout(r, 50));
  random.mockRestore();
  a.fault = undefined;
}

describe("one volunteer's queue is never synced under another's session", () => {
  const world = serverWithLanAndMinh();

  it("a stopped engine (user signed out) never syncs again, and never with the next user's session", async () => {
    const a = await signedInDevice(world.s, world.lan);
    await createHousehold(a.db, a.actor, createHouseholdInput({ headName: 'Lê Thị Hoa' }));
    await withBrowserStubs(async () => {
      await signOutWhilePushHangs(a, world.minh);
      // A stopped engine must not have scheduled anything.
      expect(a.engine.status.nextRetryAt).toBeUndefined();
    });
  });

  it("a retry after sign-out never binds Lan's clientId to Minh, and Lan syncs at her next sign-in", async () => {
    const { s, lan, minh } = world;
    const a = await signedInDevice(s, lan);
    await createHousehold(a.db, a.actor, createHouseholdInput({ headName: 'Đỗ Văn Tâm' }));
    await withBrowserStubs(async () => {
      await signOutWhilePushHangs(a, minh);
      await new Promise((r) => setTimeout(r, 1500)); // the retry timer fires after stop()
    });
    const clientId = (await a.db.meta.get('clientId'))!.value as string;
    const row = await s.db.kysely.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    // A stopped engine must not push Lan's outbox with Minh's cookie.
    expect(row?.user_id).not.toBe(minh.id);
    // And Lan, signed in again (the app makes a new engine), syncs everything.
    await a.login(lan.username, lan.password);
    await createHousehold(a.db, a.actor, createHouseholdInput({ headName: 'Đỗ Văn Tâm', address: { houseNumber: '99', street: 'Hàng Bông' } }));
    a.engine = a.newEngine();
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.outbox.count()).toBe(0);
  });

  it("a tab still holding Lan's queue under Minh's session is refused (wrong_user) and nothing is bound or pulled", async () => {
    const { s, lan, minh } = world;
    const a = createDevice(s.url, lan);
    await a.login(minh.username, minh.password); // another tab signed Minh in: the cookie is shared
    await createHousehold(a.db, a.actor, createHouseholdInput({ headName: 'Vương Thị Nga' }));
    expect(await a.engine.syncNow()).toEqual({ ok: false, error: 'wrong_user' });
    expect(a.engine.status.needsSignIn).toBe(true);
    expect(await a.db.outbox.count()).toBe(1);
    const clientId = (await a.db.meta.get('clientId'))!.value as string;
    expect(await s.db.kysely.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst()).toBeUndefined();
    const { cookie } = await s.login(minh.username, minh.password);
    const pulled = await s.request('GET', `/api/v1/sync/pull?cursor=0&user=${lan.id}`, { cookie });
    expect(pulled.status).toBe(403);
    expect(pulled.body.error.code).toBe('wrong_user');
  });
});
