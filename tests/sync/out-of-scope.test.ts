// @vitest-environment node
// Records that leave a volunteer's scope leave their phone: real devices (fake
// IndexedDB + the real sync engine) against the real server, on SQLite and,
// when available, PostgreSQL. A household that moves group goes from the old
// group's devices to the new group's; a volunteer who loses a group loses its
// records; an unsent edit to such a record is still pushed, comes back
// forbidden and waits in "needs attention". Withdrawn consent empties the
// people from every device.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from '../server/helpers';
import type { Device } from './device';
import { signedInDevice } from './harness';
import { createHousehold, createPerson, recordVisit, updateHousehold } from '../../src/app/db/repo';
import { createHouseholdInput, createPersonInput } from '../factories/records';
import { Outbox } from '../factories/mutations';
import type { Household } from '../../src/shared/schemas';

warnIfNoPostgres();

describe.each(DIALECTS)('records leaving a scope on $dialect', ({ dialect, skip }) => {
  let s: TestServer;
  let lan: TestUser; // TDP 1
  let minh: TestUser; // TDP 2
  let supCookie: string;
  let a: Device;
  let b: Device;

  beforeAll(async () => {
    if (skip) return;
    s = await startTestServer({ dialect });
    lan = await s.createUser({ role: 'volunteer', groups: ['TDP 1', 'TDP 3'] });
    minh = await s.createUser({ role: 'volunteer', groups: ['TDP 2'] });
    const sup = await s.createUser({ role: 'supervisor' });
    supCookie = (await s.login(sup.username, sup.password)).cookie;
    a = await signedInDevice(s, lan);
    b = await signedInDevice(s, minh);
  });
  afterAll(async () => {
    if (!skip) await s.close();
  });

  /** The supervisor moves a household to another group, as their device would. */
  async function supervisorMoves(h: Household, group: string) {
    const box = new Outbox();
    const r = await s.request('POST', '/api/v1/sync/push', { cookie: supCookie, body: box.body([box.update('household', h, { ...h, group })]) });
    expect(r.body.results[0].status).toBe('applied');
  }

  it.skipIf(skip)("a household that moves group leaves the old group's phone with its people and visits, and reaches the new group's", async () => {
    const h = await createHousehold(a.db, a.actor, createHouseholdInput({ group: 'TDP 1', headName: 'Hoàng Văn Sơn' }));
    if (!h.ok) throw new Error('household');
    const p = await createPerson(a.db, a.actor, h.record.id, createPersonInput({ fullName: 'Hoàng Thị Yến' }));
    if (!p.ok) throw new Error('person');
    await recordVisit(a.db, a.actor, { householdId: h.record.id, channel: 'door', outcome: 'helped', services: [], people: [{ personId: p.record.id, steps: [] }] });
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await b.engine.syncNow()).toMatchObject({ ok: true });
    expect(await b.db.households.get(h.record.id)).toBeUndefined();

    await supervisorMoves((await a.db.households.get(h.record.id))!, 'TDP 2');
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await b.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.households.get(h.record.id)).toBeUndefined();
    expect(await a.db.people.get(p.record.id)).toBeUndefined();
    expect(await a.db.visits.where('householdId').equals(h.record.id).count()).toBe(0);
    expect(await b.db.households.get(h.record.id)).toMatchObject({ group: 'TDP 2', headName: 'Hoàng Văn Sơn' });
    expect(await b.db.people.get(p.record.id)).toMatchObject({ fullName: 'Hoàng Thị Yến' });
    expect(await b.db.visits.where('householdId').equals(h.record.id).count()).toBe(1);
  });

  it.skipIf(skip)('a volunteer who loses a group loses its records; an unsent edit survives, is pushed, comes back forbidden and waits in attention', async () => {
    const kept = await createHousehold(a.db, a.actor, createHouseholdInput({ group: 'TDP 3', headName: 'Đinh Thị Loan' }));
    const edited = await createHousehold(a.db, a.actor, createHouseholdInput({ group: 'TDP 3', headName: 'Đinh Văn Lực', address: { houseNumber: '8', street: 'Hàng Bông' } }));
    const stays = await createHousehold(a.db, a.actor, createHouseholdInput({ group: 'TDP 1', headName: 'Mai Văn Tư', address: { houseNumber: '9', street: 'Hàng Bông' } }));
    if (!kept.ok || !edited.ok || !stays.ok) throw new Error('households');
    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    // Offline, Lan notes something; meanwhile the supervisor takes TDP 3 from her.
    await updateHousehold(a.db, a.actor, edited.record.id, { notes: 'Hẹn quay lại thứ Bảy' });
    const patched = await s.request('PATCH', `/api/v1/users/${lan.id}`, { cookie: supCookie, body: { groups: ['TDP 1'] } });
    expect(patched.status).toBe(200);

    expect(await a.engine.syncNow()).toMatchObject({ ok: true });
    expect(await a.db.households.get(kept.record.id)).toBeUndefined();
    expect(await a.db.households.get(stays.record.id)).toMatchObject({ headName: 'Mai Văn Tư' });
    // The edit was pushed, refused, and waits with its reason; the record stays for it.
    expect(await a.db.outbox.count()).toBe(0);
    const items = await a.db.attention.toArray();
    expect(items).toContainEqual(expect.objectContaining({ kind: 'rejected', recordId: edited.record.id, code: 'forbidden' }));
    expect(await a.db.households.get(edited.record.id)).toMatchObject({ notes: 'Hẹn quay lại thứ Bảy' });
  });

  it.skipIf(skip)("withdrawn consent leaves the people's details on no phone", async () => {
    const h = await createHousehold(b.db, b.actor, createHouseholdInput({ group: 'TDP 2', headName: 'Lý Thị Xuân', address: { houseNumber: '77', street: 'Hàng Gai' } }));
    if (!h.ok) throw new Error('household');
    const p = await createPerson(b.db, b.actor, h.record.id, createPersonInput({ fullName: 'Lý Văn Đông', birthYear: 1941, flags: { disability: true, livesAlone: false } }));
    if (!p.ok) throw new Error('person');
    const other = await signedInDevice(s, minh);
    expect(await b.engine.syncNow()).toMatchObject({ ok: true });
    expect(await other.engine.syncNow()).toMatchObject({ ok: true });
    expect(await other.db.people.get(p.record.id)).toBeDefined();
    await updateHousehold(b.db, b.actor, h.record.id, { consentGiven: false, headName: undefined, phone: undefined, notes: undefined });
    expect(await b.engine.syncNow()).toMatchObject({ ok: true });
    expect(await other.engine.syncNow()).toMatchObject({ ok: true });
    for (const d of [b, other]) {
      const text = JSON.stringify(await d.snapshot());
      for (const value of ['Lý Thị Xuân', 'Lý Văn Đông', '1941']) expect(text).not.toContain(value);
      expect(await d.db.people.get(p.record.id)).toBeUndefined();
      expect(await d.db.households.get(h.record.id)).toMatchObject({ consent: { given: false } });
    }
  });
});
