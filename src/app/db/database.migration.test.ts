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
    // Version 4 filled the follow-up index Home counts from.
    expect(await followUpsDueCount(db, '2026-08-02')).toBe(2);
    expect(await db.attention.count()).toBe(0);
    db.close();
  });

  it('opens a version-2 database at the current version with an empty cases table, its queue and follow-ups intact', async () => {
    const name = `gocua-migration-v2-${Math.random()}`;
    const v2 = new Dexie(name);
    v2.version(2).stores({
      households: 'id, group, updatedAt, *_words',
      people: 'id, householdId, *_words, _blocked',
      visits: 'id, householdId, at, _followUp, [householdId+at]',
      outbox: '++seq, [entity+id]',
      attention: '++key, kind, [entity+recordId]',
      meta: 'key',
    });
    const hid = '01900000-0000-7000-8000-000000000011';
    const vid = '01900000-0000-7000-8000-000000000013';
    await v2.table('households').add({
      id: hid, createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM', group: 'TDP 3',
      address: { houseNumber: '7', street: 'Phố Huế' }, headName: 'Lê Thị Hoà', povertyStatus: 'none',
      consent: { given: true, at, by: 'vol-1' }, _words: ['le'],
    });
    await v2.table('visits').add({
      id: vid, householdId: hid, channel: 'door', at, volunteerId: 'vol-1', outcome: 'helped', people: [], services: [],
      escalate: { reason: 'technical', detail: 'Máy cũ' }, createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM', _followUp: 1,
    });
    await v2.table('outbox').add({ entity: 'visit', id: vid, op: 'upsert', fields: { outcome: 'helped' }, at, pushSeq: 4 });
    v2.close();

    const db = new GoCuaDB(name);
    await db.open();
    expect(db.verno).toBe(DB_SCHEMA_VERSION);
    expect(await db.cases.count()).toBe(0);
    expect((await db.outbox.toArray()).map((e) => [e.seq, e.pushSeq])).toEqual([[1, 4]]);
    expect((await followUps(db, '2026-08-02')).map((f) => [f.kind, f.case])).toEqual([['escalation', undefined]]);
    expect(await followUpsDueCount(db, '2026-08-02')).toBe(1);
    db.close();
  });

  it('opens a version-3 database (cases) at the current version, its follow-up index agreeing with the list', async () => {
    const name = `gocua-migration-v3-${Math.random()}`;
    const v3 = new Dexie(name);
    // Version 3 exactly as it shipped.
    v3.version(3).stores({
      households: 'id, group, updatedAt, *_words',
      people: 'id, householdId, *_words, _blocked',
      visits: 'id, householdId, at, _followUp, [householdId+at]',
      cases: 'id, visitId, status',
      outbox: '++seq, [entity+id]',
      attention: '++key, kind, [entity+recordId]',
      meta: 'key',
    });
    const base = { createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM' };
    const id = (n: number) => `01900000-0000-7000-8000-0000000001${String(n).padStart(2, '0')}`;
    const escalate = { reason: 'technical', detail: 'Máy cũ' };
    await v3.table('households').bulkAdd([1, 2, 3].map((n) => ({
      id: id(n), ...base, group: 'TDP 3', address: { houseNumber: String(n), street: 'Phố Huế' }, headName: 'Lê Thị Hoà',
      povertyStatus: 'none', consent: { given: true, at, by: 'vol-1' }, _words: ['le'],
    })));
    const visit = (n: number, householdId: string | undefined, over: object) => ({
      id: id(10 + n), ...(householdId ? { householdId } : {}), channel: householdId ? 'door' : 'literacy_point',
      ...(householdId ? {} : { literacyPointId: 'P1' }), at, volunteerId: 'vol-1', outcome: 'helped', people: [], services: [],
      escalate, ...base, _followUp: 1, ...over,
    });
    await v3.table('visits').bulkAdd([
      visit(1, id(1), {}), // its case is resolved: no longer due
      visit(2, id(2), {}), // its case is open: due
      visit(3, id(3), { outcome: 'revisit' }), // resolved, but a revisit was asked for: due
      visit(4, undefined, {}), // a walk-in whose case is resolved: no longer due
      visit(5, undefined, {}), // a walk-in with no case yet: due
    ]);
    const kase = (n: number, visitId: string, householdId: string | undefined, status: string) => ({
      id: id(20 + n), ...base, visitId, ...(householdId ? { householdId } : {}), group: 'TDP 3', reason: 'technical', status,
      ...(status === 'resolved' ? { resolution: 'Đã xong', resolvedAt: at } : {}),
    });
    await v3.table('cases').bulkAdd([
      kase(1, id(11), id(1), 'resolved'),
      kase(2, id(12), id(2), 'open'),
      kase(3, id(13), id(3), 'resolved'),
      kase(4, id(14), undefined, 'resolved'),
    ]);
    await v3.table('outbox').add({ entity: 'case', id: id(22), op: 'upsert', fields: { status: 'in_progress' }, at, pushSeq: 7 });
    v3.close();

    const db = new GoCuaDB(name);
    await db.open();
    expect(db.verno).toBe(DB_SCHEMA_VERSION);
    expect(await db.cases.count()).toBe(4);
    expect((await db.outbox.toArray()).map((e) => [e.entity, e.pushSeq])).toEqual([['case', 7]]);
    const list = await followUps(db, '2026-08-02');
    expect(list.map((f) => f.visit?.id).sort()).toEqual([id(12), id(13), id(15)]);
    expect(await followUpsDueCount(db, '2026-08-02')).toBe(3);
    db.close();
  });

  it('opens a version-4 database at version 5: the word, updatedAt and visits.householdId indexes go, the rows and every query stay', async () => {
    const name = `gocua-migration-v4-${Math.random()}`;
    const v4 = new Dexie(name);
    // Version 4 exactly as it shipped: its rows still carry `_blocked: 0` and `_followUp: 0`.
    v4.version(4).stores({
      households: 'id, group, updatedAt, *_words',
      people: 'id, householdId, *_words, _blocked, _due',
      visits: 'id, householdId, at, _followUp, [householdId+at], _due',
      cases: 'id, visitId, status',
      outbox: '++seq, [entity+id]',
      attention: '++key, kind, [entity+recordId]',
      meta: 'key',
    });
    const base = { createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM' };
    const id = (n: number) => `01900000-0000-7000-8000-0000000002${String(n).padStart(2, '0')}`;
    await v4.table('households').bulkAdd([1, 2].map((n) => ({
      id: id(n), ...base, group: 'TDP 3', address: { houseNumber: String(n), lane: 'Ngõ Trạm', street: 'Phố Huế' },
      headName: n === 1 ? 'Lê Thị Hoà' : 'Trần Văn Bình', povertyStatus: 'none', consent: { given: true, at, by: 'vol-1' },
      _words: n === 1 ? ['le', 'thi', 'hoa', '1', 'ngo', 'tram', 'pho', 'hue', 'tdp', '3'] : ['tran', 'van', 'binh', '2', 'ngo', 'tram', 'pho', 'hue', 'tdp', '3'],
    })));
    const platforms = emptyPlatforms();
    const blocked = emptyPlatforms();
    blocked.vneid.steps.level2 = { status: 'blocked', blocker: 'nfc_unreadable' };
    await v4.table('people').bulkAdd([
      { id: id(11), householdId: id(1), ...base, fullName: 'Lê Văn Tùng', birthYear: 1950, flags: { disability: false, livesAlone: false }, platforms: blocked, _words: ['le', 'van', 'tung'], _blocked: 1, _due: '2026-08-01' },
      { id: id(12), householdId: id(2), ...base, fullName: 'Trần Thị Mơ', birthYear: 1960, flags: { disability: false, livesAlone: false }, platforms, _words: ['tran', 'thi', 'mo'], _blocked: 0 },
    ]);
    await v4.table('visits').bulkAdd([
      { id: id(21), householdId: id(2), channel: 'door', at, volunteerId: 'vol-1', outcome: 'revisit', people: [], services: [], ...base, _followUp: 1, _due: '2026-08-01' },
      { id: id(22), householdId: id(1), channel: 'door', at, volunteerId: 'vol-1', outcome: 'helped', people: [], services: [], ...base, _followUp: 0 },
    ]);
    await v4.table('outbox').add({ entity: 'person', id: id(12), op: 'upsert', fields: { fullName: 'Trần Thị Mơ' }, at, pushSeq: 9 });
    v4.close();

    const db = new GoCuaDB(name);
    await db.open();
    expect(db.verno).toBe(DB_SCHEMA_VERSION);
    const stores = Object.fromEntries(db.tables.map((t) => [t.name, t.schema.indexes.map((i) => i.name).sort()]));
    expect(stores.households).toEqual(['group']);
    expect(stores.people).toEqual(['_blocked', '_due', 'householdId']);
    expect(stores.visits).toEqual(['[householdId+at]', '_due', '_followUp', 'at']);
    expect(await db.households.count()).toBe(2);
    expect((await db.outbox.toArray()).map((e) => [e.entity, e.id, e.pushSeq])).toEqual([['person', id(12), 9]]);
    // Search reads the rows' own words, through people too.
    expect((await search(db, 'le thi hoa')).map((h) => h.household.id)).toEqual([id(1)]);
    expect((await search(db, 'tran thi mo')).map((h) => h.household.id)).toEqual([id(2)]);
    expect((await search(db, 'ngo tram')).map((h) => h.household.id)).toEqual([id(1), id(2)]);
    // The follow-ups list and Home's count agree, over rows that still hold 0 flags.
    expect((await followUps(db, '2026-08-02')).map((f) => f.kind).sort()).toEqual(['blocked', 'revisit']);
    expect(await followUpsDueCount(db, '2026-08-02')).toBe(2);
    // A household's visits, through [householdId+at] read as a householdId index.
    expect((await db.visits.where('householdId').equals(id(2)).toArray()).map((v) => v.id)).toEqual([id(21)]);
    expect((await db.visits.where('householdId').anyOf([id(1), id(2)]).primaryKeys()).sort()).toEqual([id(21), id(22)]);
    db.close();
  });
});
