// @vitest-environment node
// Regression tests from a review of the device sync engine, against the real
// server (SQLite). Each was written failing, before its fix.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../server/helpers';
import { createDevice } from './device';
import { createHousehold, updateHousehold } from '../../src/app/db/repo';
import { resendRejected } from '../../src/app/db/attention';
import { applyPushResults, nextBatch, numberOutbox } from '../../src/app/db/outbox';
import { storePulledPage } from '../../src/app/db/pulledPages';
import { stripLocal } from '../../src/app/db/database';
import { actor, freshDb, householdInput } from '../factories/records';

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
const html = () => new Response('<html>portal</html>', { status: 200, headers: { 'content-type': 'text/html' } });

describe('sync engine review (sqlite)', () => {
  let s: TestServer;
  let lan: TestUser;
  let minh: TestUser;

  beforeAll(async () => {
    s = await startTestServer({ dialect: 'sqlite' });
    lan = await s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
    minh = await s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
  });
  afterAll(async () => {
    await s.close();
  });

  it('a push answer that acknowledges none of the sent entries stops the run instead of re-sending forever', async () => {
    const d = createDevice(s.url, lan);
    await d.login(lan.username, lan.password);
    await createHousehold(d.db, d.actor, householdInput());
    let pushes = 0;
    d.fault = async (input, init, real) => {
      if (!input.includes('/sync/push')) return real(input, init);
      pushes++;
      // Safety valve so the test ends: after 5 identical answers, a portal page.
      if (pushes > 5) return html();
      return json({ lastAppliedSeq: 0, results: [{ seq: 999, status: 'duplicate' }] });
    };
    const out = await d.engine.syncNow();
    expect(out).toEqual({ ok: false, error: 'unexpected_response' });
    expect(await d.db.outbox.count()).toBe(1); // nothing cleared
    expect(pushes).toBe(1); // once, not a tight loop re-sending the same batch
  });

  it('a queue of Vietnamese notes is cut into batches the server accepts (1 MiB is bytes, not UTF-16 units)', async () => {
    const d = createDevice(s.url, lan);
    await d.login(lan.username, lan.password);
    const notes = 'ễ'.repeat(1000); // 1000 chars, 3000 UTF-8 bytes; the schema allows 1000 chars
    for (let i = 0; i < 400; i++)
      await createHousehold(d.db, d.actor, householdInput({ notes, address: { houseNumber: String(i + 1), street: 'Hàng Bông' } }));
    const statuses: number[] = [];
    d.fault = async (input, init, real) => {
      const res = await real(input, init);
      statuses.push(res.status);
      return res;
    };
    const out = await d.engine.syncNow();
    expect(statuses).not.toContain(413);
    // Measured in characters, the first batch was ~360 mutations: < 512K chars but > 1 MiB on the
    // wire: 413 payload_too_large, and every retry sends the same batch.
    expect(out).toMatchObject({ ok: true });
    expect(await d.db.outbox.count()).toBe(0);
  });

  it('a stopped engine (user signed out) never syncs again, and never with the next user\'s session', async () => {
    const a = createDevice(s.url, lan);
    await a.login(lan.username, lan.password);
    await createHousehold(a.db, a.actor, householdInput({ headName: 'Lê Thị Hoa' }));
    // Minimal browser surface for start()/stop().
    vi.stubGlobal('window', { addEventListener() {}, removeEventListener() {} });
    vi.stubGlobal('document', { addEventListener() {}, removeEventListener() {}, visibilityState: 'hidden' });
    vi.stubGlobal('navigator', {});
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    a.fault = async () => {
      entered();
      await released;
      throw new TypeError('Failed to fetch'); // the poor connection drops
    };
    try {
      await a.engine.start(); // first sync starts; its push hangs on the network
      await inFlight;
      a.engine.stop(); // Lan signs out (SessionContext's effect cleanup)
      await a.login(minh.username, minh.password); // Minh signs in on the same phone: the cookie jar now holds Minh's session
      const random = vi.spyOn(Math, 'random').mockReturnValue(0); // shortest backoff (1 s)
      release();
      await new Promise((r) => setTimeout(r, 50));
      random.mockRestore();
      a.fault = undefined;
      // A stopped engine must not have scheduled anything.
      expect(a.engine.status.nextRetryAt).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a retry after sign-out never binds Lan\'s clientId to Minh, and Lan syncs at her next sign-in', async () => {
    const a = createDevice(s.url, lan);
    await a.login(lan.username, lan.password);
    await createHousehold(a.db, a.actor, householdInput({ headName: 'Đỗ Văn Tâm' }));
    vi.stubGlobal('window', { addEventListener() {}, removeEventListener() {} });
    vi.stubGlobal('document', { addEventListener() {}, removeEventListener() {}, visibilityState: 'hidden' });
    vi.stubGlobal('navigator', {});
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    a.fault = async () => {
      entered();
      await released;
      throw new TypeError('Failed to fetch');
    };
    try {
      await a.engine.start();
      await inFlight;
      a.engine.stop();
      await a.login(minh.username, minh.password);
      const random = vi.spyOn(Math, 'random').mockReturnValue(0);
      release();
      await new Promise((r) => setTimeout(r, 50));
      random.mockRestore();
      a.fault = undefined;
      await new Promise((r) => setTimeout(r, 1500)); // the retry timer fires after stop()
    } finally {
      vi.unstubAllGlobals();
    }
    const clientId = (await a.db.meta.get('clientId'))!.value as string;
    const row = await s.db.kysely.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    // A stopped engine must not push Lan's outbox with Minh's cookie.
    expect(row?.user_id).not.toBe(minh.id);
    // And Lan, signed in again (the app makes a new engine), syncs everything.
    await a.login(lan.username, lan.password);
    await createHousehold(a.db, a.actor, householdInput({ headName: 'Đỗ Văn Tâm', address: { houseNumber: '99', street: 'Hàng Bông' } }));
    a.engine = a.newEngine();
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.outbox.count()).toBe(0);
  });

  it('after the server loses its counter (restore from backup), the device recovers from 409 seq_gap', async () => {
    const d = createDevice(s.url, lan);
    await d.login(lan.username, lan.password);
    await createHousehold(d.db, d.actor, householdInput({ address: { houseNumber: '7', street: 'Hàng Gai' } }));
    expect(await d.engine.syncNow()).toMatchObject({ ok: true });
    const clientId = (await d.db.meta.get('clientId'))!.value as string;
    await s.db.kysely.updateTable('clients').set({ last_applied_seq: 0 }).where('client_id', '=', clientId).execute();
    await createHousehold(d.db, d.actor, householdInput({ address: { houseNumber: '8', street: 'Hàng Gai' } }));
    const first = await d.engine.syncNow();
    const second = await d.engine.syncNow();
    expect(first).not.toEqual({ ok: false, error: 'seq_gap' });
    // Retrying with the same numbers would leave the queue stuck for ever.
    expect([first, second].some((o) => o.ok)).toBe(true);
    expect(await d.db.outbox.count()).toBe(0);
  });

  it('a tab still holding Lan\'s queue under Minh\'s session is refused (wrong_user) and nothing is bound or pulled', async () => {
    const a = createDevice(s.url, lan);
    await a.login(minh.username, minh.password); // another tab signed Minh in: the cookie is shared
    await createHousehold(a.db, a.actor, householdInput({ headName: 'Vương Thị Nga' }));
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

describe('rejected edits stay on the device', () => {
  it('a pull of a newer server version does not erase an edit the server rejected; "send again" sends it', async () => {
    const db = freshDb('review');
    const created = await createHousehold(db, actor, householdInput({ headName: 'Bùi Thị Nga' }));
    if (!created.ok) throw new Error('create');
    await numberOutbox(db);
    await applyPushResults(db, await nextBatch(db), [{ seq: 1, status: 'applied' }]);
    // The volunteer edits the notes; the server rejects that edit (e.g. forbidden after a regroup).
    await updateHousehold(db, actor, created.record.id, { notes: 'Cụ bà chỉ ở nhà buổi chiều' });
    await numberOutbox(db);
    const batch = await nextBatch(db);
    await applyPushResults(db, batch, [{ seq: 2, status: 'rejected', error: { code: 'forbidden', message: 'outside' } }]);
    expect(await db.outbox.count()).toBe(0);
    // A teammate changes the phone; the next pull brings the server's record.
    const server = { ...stripLocal((await db.households.get(created.record.id))!), phone: '0987654321' };
    delete (server as { notes?: string }).notes;
    await storePulledPage(db, { changes: [{ entity: 'household', id: server.id, record: server, version: 5 }], cursor: 5, hasMore: false });
    // The rejected edit must stay on the record (the attention row does not show fields).
    expect((await db.households.get(created.record.id))!.notes).toBe('Cụ bà chỉ ở nhà buổi chiều');
    const item = (await db.attention.toArray())[0]!;
    expect(await resendRejected(db, item.key!)).toEqual({ ok: true });
    const [resent] = await db.outbox.toArray();
    expect(resent!.fields.notes).toBe('Cụ bà chỉ ở nhà buổi chiều');
  });
});
