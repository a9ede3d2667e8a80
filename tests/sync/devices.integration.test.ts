// @vitest-environment node
// Two simulated devices (fake IndexedDB + the real sync engine) against the
// real server on a random port, on SQLite and, when available, PostgreSQL.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from '../server/helpers';
import { createDevice, type Device } from './device';
import { createHousehold, createPerson, recordVisit, updateHousehold } from '../../src/app/db/repo';
import { resolveConflict } from '../../src/app/db/attention';
import { householdInput, personInput } from '../factories/records';

warnIfNoPostgres();

async function countRows(s: TestServer, entity: string): Promise<number> {
  const supervisor = await s.createUser({ role: 'supervisor' });
  const { cookie } = await s.login(supervisor.username, supervisor.password);
  let cursor = 0;
  const ids = new Set<string>();
  let total = 0;
  for (;;) {
    const r = await s.request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=1000`, { cookie });
    for (const c of r.body.changes) if (c.entity === entity) { ids.add(c.id); total++; }
    cursor = r.body.cursor;
    if (!r.body.hasMore) break;
  }
  expect(total).toBe(ids.size); // each record comes down once
  return ids.size;
}

describe.each(DIALECTS)('two devices on $dialect', ({ dialect, skip }) => {
  let s: TestServer;
  let lan: TestUser;
  let minh: TestUser;
  let a: Device;
  let b: Device;

  beforeAll(async () => {
    if (skip) return;
    s = await startTestServer({ dialect });
    lan = await s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
    minh = await s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
    a = createDevice(s.url, lan);
    b = createDevice(s.url, minh);
    await a.login(lan.username, lan.password);
    await b.login(minh.username, minh.password);
  });
  afterAll(async () => {
    if (!skip) await s.close();
  });

  it.skipIf(skip)('work offline, sync, and converge to identical records', async () => {
    const h = await createHousehold(a.db, a.actor, householdInput({ headName: 'Phạm Thị Hương' }));
    if (!h.ok) throw new Error();
    const p1 = await createPerson(a.db, a.actor, h.record.id, personInput({ fullName: 'Phạm Văn Lộc', birthYear: 1950 }));
    await createPerson(a.db, a.actor, h.record.id, personInput({ fullName: 'Phạm Thị Mai', birthYear: 1995 }));
    if (!p1.ok) throw new Error();
    await recordVisit(a.db, a.actor, {
      householdId: h.record.id, channel: 'door', outcome: 'helped', services: [],
      people: [{ personId: p1.record.id, steps: [{ platform: 'vneid', step: 'level2', status: 'done' }] }],
    });
    const h2 = await createHousehold(b.db, b.actor, householdInput({ headName: 'Vũ Đức Thắng', address: { houseNumber: '3', street: 'Hàng Bông' } }));
    if (!h2.ok) throw new Error();

    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await b.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.outbox.count()).toBe(0);
    expect(await b.db.outbox.count()).toBe(0);
    const [sa, sb] = [await a.snapshot(), await b.snapshot()];
    expect(sa.households).toHaveLength(2);
    expect(sa.people).toHaveLength(2);
    expect(sa.visits).toHaveLength(1);
    expect(sb).toEqual(sa);
  });

  it.skipIf(skip)('concurrent edits to different fields both survive; a same-field edit becomes a conflict that can be resolved', async () => {
    const hid = (await a.db.households.toArray()).find((h) => h.headName === 'Phạm Thị Hương')!.id;
    await updateHousehold(a.db, a.actor, hid, { phone: '0987 111 222' });
    await updateHousehold(b.db, b.actor, hid, { notes: 'Cụ ông nghe kém' });
    await a.engine.syncNow();
    await b.engine.syncNow();
    await a.engine.syncNow();
    const ha = await a.db.households.get(hid);
    const hb = await b.db.households.get(hid);
    expect(ha).toMatchObject({ phone: '0987111222', notes: 'Cụ ông nghe kém' });
    expect(hb).toMatchObject({ phone: '0987111222', notes: 'Cụ ông nghe kém' });

    // Same field, both offline: A syncs first and wins; B's value is kept as a conflict.
    await updateHousehold(a.db, a.actor, hid, { notes: 'Gọi trước khi đến' });
    await updateHousehold(b.db, b.actor, hid, { notes: 'Chỉ ở nhà buổi sáng' });
    await a.engine.syncNow();
    await b.engine.syncNow();
    const items = await b.db.attention.toArray();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'conflict', field: 'notes', mine: 'Chỉ ở nhà buổi sáng' });
    expect((await b.db.households.get(hid))!.notes).toBe('Gọi trước khi đến');

    expect(await resolveConflict(b.db, items[0]!.key!, 'mine')).toEqual({ ok: true });
    await b.engine.syncNow();
    await a.engine.syncNow();
    expect(await b.db.attention.count()).toBe(0);
    expect((await a.db.households.get(hid))!.notes).toBe('Chỉ ở nhà buổi sáng');
    expect(await a.snapshot()).toEqual(await b.snapshot());
  });

  it.skipIf(skip)('a push whose response is lost (server stopped after commit) arrives exactly once after restart', async () => {
    const before = await countRows(s, 'visit');
    const h = (await a.db.households.toArray())[0]!;
    for (let i = 0; i < 3; i++)
      await recordVisit(a.db, a.actor, { householdId: h.id, channel: 'door', outcome: 'revisit', people: [], services: [`Dịch vụ ${i}`] });
    s.hooks.afterPushWrites = async () => {
      s.hooks.afterPushWrites = undefined;
      void s.stop({ force: true }); // the server goes down; the transaction still commits
    };
    const first = await a.engine.syncNow();
    expect(first.ok).toBe(false);
    expect(await a.db.outbox.count()).toBe(3); // nothing cleared without an answer
    await new Promise((r) => setTimeout(r, 200));
    await s.restart();
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.outbox.count()).toBe(0);
    expect(await countRows(s, 'visit')).toBe(before + 3);
  });

  it.skipIf(skip)('a captive portal answering 200 with HTML clears nothing', async () => {
    const h = (await a.db.households.toArray())[0]!;
    await recordVisit(a.db, a.actor, { householdId: h.id, channel: 'door', outcome: 'not_home', people: [], services: [] });
    const queued = await a.db.outbox.toArray();
    a.fault = async () =>
      new Response('<html><body>Đăng nhập Wi-Fi miễn phí</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });
    expect(await a.engine.syncNow()).toEqual({ ok: false, error: 'unexpected_response' });
    const withoutPushSeq = (rows: typeof queued) => rows.map(({ pushSeq: _p, ...e }) => e);
    expect(withoutPushSeq(await a.db.outbox.toArray())).toEqual(withoutPushSeq(queued));
    a.fault = undefined;
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.outbox.count()).toBe(0);
  });

  it.skipIf(skip)('a 401 with records pending keeps everything and resumes after signing in again', async () => {
    const h = (await b.db.households.toArray())[0]!;
    await recordVisit(b.db, b.actor, { householdId: h.id, channel: 'door', outcome: 'helped', people: [], services: [] });
    const supervisor = await s.createUser({ role: 'supervisor' });
    const { cookie } = await s.login(supervisor.username, supervisor.password);
    expect((await s.request('POST', `/api/v1/users/${minh.id}/revoke`, { cookie })).status).toBeLessThan(300);
    expect(await b.engine.syncNow()).toEqual({ ok: false, error: 'unauthenticated' });
    expect(b.engine.status.needsSignIn).toBe(true);
    expect(await b.db.outbox.count()).toBe(1);
    await b.login(minh.username, minh.password);
    b.engine.resume();
    // resume() starts a sync of its own; on a loaded machine it can outlast any
    // fixed pause, and syncNow() then answers busy. Wait for it instead.
    let outcome = await b.engine.syncNow();
    for (let i = 0; i < 200 && !outcome.ok && outcome.error === 'busy'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      outcome = await b.engine.syncNow();
    }
    expect(outcome).toMatchObject({ ok: true });
    expect(await b.db.outbox.count()).toBe(0);
  });
});
