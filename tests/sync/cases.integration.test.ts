// @vitest-environment node
// An escalation end to end, with real devices (fake IndexedDB + the real sync
// engine) against the real server, on SQLite and, when available, PostgreSQL:
// a volunteer escalates a visit offline-first; the server opens the case; a
// responder's device pulls it with the household it points at (and nothing
// else), takes and resolves it through its outbox; the volunteer's follow-up
// shows the case and clears after their next sync.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from '../server/helpers';
import { signedInDevice } from './harness';
import type { Device } from './device';
import { createHousehold, recordVisit, updateCase } from '../../src/app/db/repo';
import { caseQueue, followUps } from '../../src/app/db/queries';
import { createHouseholdInput } from '../factories/records';

warnIfNoPostgres();

describe.each(DIALECTS)('an escalation between devices on $dialect', ({ dialect, skip }) => {
  let s: TestServer;
  let lan: TestUser;
  let tuan: TestUser;
  let hoa: TestUser;
  let phone: Device;
  let desk: Device;

  beforeAll(async () => {
    if (skip) return;
    s = await startTestServer({ dialect });
    lan = await s.createUser({ role: 'volunteer', groups: ['TDP 5', 'TDP 6'] });
    tuan = await s.createUser({ role: 'responder' });
    hoa = await s.createUser({ role: 'supervisor' });
    phone = await signedInDevice(s, lan);
    desk = await signedInDevice(s, tuan);
  });
  afterAll(async () => {
    if (!skip) await s.close();
  });

  it.skipIf(skip)('the responder resolves the case on their device and the volunteer’s follow-up clears after the next sync', async () => {
    const h = await createHousehold(phone.db, phone.actor, createHouseholdInput({ group: 'TDP 5' }));
    const unrelated = await createHousehold(phone.db, phone.actor, createHouseholdInput({ group: 'TDP 6', headName: 'Hộ Không Liên Quan' }));
    if (!h.ok || !unrelated.ok) throw new Error('seed');
    const v = await recordVisit(phone.db, phone.actor, {
      householdId: h.record.id, channel: 'door', outcome: 'helped', people: [], services: [],
      escalate: { reason: 'identity_verification', detail: 'Ảnh chân dung không khớp CCCD' },
    });
    if (!v.ok) throw new Error('visit');
    expect((await followUps(phone.db)).map((f) => [f.kind, f.case?.status])).toEqual([['escalation', undefined]]);

    expect(await phone.engine.syncNow()).toMatchObject({ ok: true });
    expect(await phone.engine.syncNow()).toMatchObject({ ok: true }); // pulls the case the push opened
    expect((await followUps(phone.db)).map((f) => [f.kind, f.case?.status])).toEqual([['escalation', 'open']]);

    expect(await desk.engine.syncNow()).toMatchObject({ ok: true });
    const [item] = await caseQueue(desk.db);
    expect(item).toMatchObject({ case: { visitId: v.record.id, status: 'open', detail: 'Ảnh chân dung không khớp CCCD' }, sync: 'synced' });
    expect(item!.household?.id).toBe(h.record.id);
    expect(item!.visit?.id).toBe(v.record.id);
    // Nothing the case does not point at reached the responder.
    expect(await desk.db.households.get(unrelated.record.id)).toBeUndefined();
    expect(await desk.db.households.count()).toBe(1);

    expect((await updateCase(desk.db, desk.actor, item!.case.id, { status: 'in_progress', assigneeId: tuan.id })).ok).toBe(true);
    expect((await caseQueue(desk.db))[0]!.sync).toBe('pending');
    expect(await desk.engine.syncNow()).toMatchObject({ ok: true });
    expect(await phone.engine.syncNow()).toMatchObject({ ok: true });
    expect((await followUps(phone.db)).map((f) => [f.kind, f.case?.status])).toEqual([['escalation', 'in_progress']]);

    expect((await updateCase(desk.db, desk.actor, item!.case.id, { status: 'resolved', resolution: 'Đã hẹn cụ ra công an phường cập nhật ảnh' })).ok).toBe(true);
    expect(await desk.engine.syncNow()).toMatchObject({ ok: true });
    expect(await desk.db.outbox.count()).toBe(0);
    expect(await desk.db.attention.count()).toBe(0);
    expect((await caseQueue(desk.db))[0]).toMatchObject({ sync: 'synced', case: { status: 'resolved', resolvedAt: expect.any(String) } });

    expect(await phone.engine.syncNow()).toMatchObject({ ok: true });
    expect(await followUps(phone.db)).toEqual([]);
    expect(await phone.db.cases.get(item!.case.id)).toMatchObject({ status: 'resolved', resolution: 'Đã hẹn cụ ra công an phường cập nhật ảnh' });
  });

  it.skipIf(skip)('a volunteer’s edit of a case is refused and comes back as a rejection to look at, the case unchanged on the server', async () => {
    const h = await createHousehold(phone.db, phone.actor, createHouseholdInput({ group: 'TDP 5' }));
    if (!h.ok) throw new Error('seed');
    const v = await recordVisit(phone.db, phone.actor, {
      householdId: h.record.id, channel: 'door', outcome: 'helped', people: [], services: [], escalate: { reason: 'technical', detail: 'Máy quá cũ' },
    });
    if (!v.ok) throw new Error('visit');
    await phone.engine.syncNow();
    await phone.engine.syncNow();
    const c = (await phone.db.cases.where('visitId').equals(v.record.id).first())!;
    expect((await updateCase(phone.db, phone.actor, c.id, { status: 'resolved', resolution: 'Tự xử lý' })).ok).toBe(true);
    await phone.engine.syncNow();
    const attention = await phone.db.attention.toArray();
    expect(attention).toContainEqual(expect.objectContaining({ kind: 'rejected', entity: 'case', recordId: c.id, code: 'forbidden' }));
    const sup = await s.login(hoa.username, hoa.password);
    const pulled = await s.request('GET', '/api/v1/sync/pull?cursor=0&limit=1000', { cookie: sup.cookie });
    expect(pulled.body.changes.find((ch: { id: string }) => ch.id === c.id).record.status).toBe('open');
  });
});
