// Builds the database as version 1 shipped it (no search index, no attention
// table), with records in it and changes still queued, then opens it at the
// current version: nothing may be lost and the new indexes must work.
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { DB_SCHEMA_VERSION, GoCuaDB } from './database';
import { emptyPlatforms } from '../../shared/schemas';
import { search } from './search';
import { followUps, followUpsDueCount } from './queries';

const at = '2026-08-01T08:00:00.000Z';

describe('local database migration', () => {
  it('opens a version-1 database with data at the current version, keeping every record and queued change', async () => {
    const name = `gocua-migration-${Math.random()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({
      households: 'id, group, updatedAt',
      people: 'id, householdId',
      visits: 'id, householdId, at',
      outbox: '++seq, [entity+id]',
      meta: 'key',
    });
    const hid = '01900000-0000-7000-8000-000000000001';
    const pid = '01900000-0000-7000-8000-000000000002';
    const platforms = emptyPlatforms();
    platforms.vneid.steps.level2 = { status: 'blocked', blocker: 'nfc_unreadable' };
    await v1.table('households').add({
      id: hid, createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM', group: 'TDP 3',
      address: { houseNumber: '5', lane: 'Ngõ Trạm', street: 'Phố Huế' }, headName: 'Lê Thị Hoà',
      povertyStatus: 'near_poor', consent: { given: true, at, by: 'vol-1' },
    });
    await v1.table('people').add({
      id: pid, householdId: hid, createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM',
      fullName: 'Lê Văn Tùng', birthYear: 1950, flags: { disability: false, livesAlone: false }, platforms,
    });
    await v1.table('visits').add({
      id: '01900000-0000-7000-8000-000000000003', householdId: hid, channel: 'door', at, volunteerId: 'vol-1',
      outcome: 'revisit', people: [], services: [], createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM',
    });
    await v1.table('outbox').bulkAdd([
      { entity: 'household', id: hid, op: 'upsert', fields: { group: 'TDP 3' }, at },
      { entity: 'person', id: pid, op: 'upsert', fields: { fullName: 'Lê Văn Tùng' }, at },
    ]);
    await v1.table('meta').put({ key: 'clientId', value: 'client-abc' });
    v1.close();

    const db = new GoCuaDB(name);
    await db.open();
    expect(db.verno).toBe(DB_SCHEMA_VERSION);
    expect(await db.households.count()).toBe(1);
    expect(await db.people.count()).toBe(1);
    expect((await db.outbox.orderBy('seq').toArray()).map((e) => e.seq)).toEqual([1, 2]);
    expect(await db.meta.get('clientId')).toEqual({ key: 'clientId', value: 'client-abc' });
    // The new indexes were filled by the upgrade.
    expect((await search(db, 'le thi hoa')).map((h) => h.household.id)).toEqual([hid]);
    expect((await search(db, 'tung')).map((h) => h.household.id)).toEqual([hid]);
    const fu = await followUps(db, '2026-08-02');
    expect(fu.map((f) => f.kind).sort()).toEqual(['blocked', 'revisit']);
    // Version 3 filled the follow-up index Home counts from.
    expect(await followUpsDueCount(db, '2026-08-02')).toBe(2);
    expect(await db.attention.count()).toBe(0);
    db.close();
  });
});
