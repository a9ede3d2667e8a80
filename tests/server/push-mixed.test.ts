// @vitest-environment node
// One push that mixes everything the write path batches and everything that
// must read around the batch: household creates (stored together, with one
// multi-row INSERT), a person under a household created earlier in the same
// push, an update of one, a conflicting edit, rejections of every kind, a
// create resent over a record that now exists. Checked against what each
// mutation means on its own (answers, stored rows, versions, aggregates), on
// SQLite and (when available) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { ensureWardGroups } from '../../src/server/wards';
import { recountWard, storedWard, type GroupMetrics } from '../../src/server/reports/aggregates';
import type { PullResponse, PushResponse } from '../../src/shared/protocol';

warnIfNoPostgres();

/** Metrics without zero entries, as plain objects, for toEqual. */
const plain = (g: GroupMetrics) =>
  Object.fromEntries(
    [...g]
      .map(([group, m]) => [group, Object.fromEntries([...m].filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b)))] as const)
      .filter(([, m]) => Object.keys(m).length > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`a mixed push on ${dialect}`, () => {
    let s: TestServer;
    let cookie: string;
    let otherCookie: string;
    let volId: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      await ensureWardGroups(s.db, 'CUANAM', ['TDP 1', 'TDP 2']);
      const vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1', 'TDP 2'] });
      volId = vol.id;
      const other = await s.createUser({ role: 'volunteer', groups: ['TDP 1', 'TDP 2'] });
      cookie = (await s.login(vol.username, vol.password)).cookie;
      otherCookie = (await s.login(other.username, other.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const push = async (c: string, body: unknown) => s.request('POST', '/api/v1/sync/push', { cookie: c, body });
    const stored = async (entity: string, id: string) => {
      const row = await s.db.kysely.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
      return row && { ...row, version: Number(row.version), record: JSON.parse(row.data) as Record<string, unknown> };
    };

    it('answers and stores each mutation as it would alone, versions in seq order with no gap, figures equal a recount', async () => {
      // A household both devices have, then edited by the other device: our base is stale.
      const setup = new Outbox();
      const e = createHouseholdRecord({ notes: 'Cần quay lại buổi tối' });
      expect((await push(cookie, setup.body([setup.create('household', e)]))).status).toBe(200);
      const other = new Outbox();
      expect((await push(otherCookie, other.body([other.update('household', e, { ...e, notes: 'Đã hẹn sáng thứ bảy' })]))).status).toBe(200);
      const counterBefore = Number((await s.db.kysely.selectFrom('ward_counters').select('seq').where('ward_code', '=', 'CUANAM').executeTakeFirstOrThrow()).seq);

      const box = new Outbox();
      const h1 = createHouseholdRecord();
      h1.consent = { ...h1.consent!, by: volId }; // as the server stores it: resent (11), it changes nothing
      const h2 = createHouseholdRecord({ group: 'TDP 2' });
      const p = createPersonRecord(h1.id);
      const h3 = createHouseholdRecord({ group: 'TDP 2' });
      const notMine = createHouseholdRecord({ group: 'TDP 99' });
      const stray = createHouseholdRecord();
      const strayFields = { ...stray, address: { ...stray.address, nationalId: '001099012345' } };
      const strayAndInvalid = createHouseholdRecord();
      const strayAndInvalidFields = { ...strayAndInvalid, povertyStatus: 'rich', address: { ...strayAndInvalid.address, nationalId: '001099012345' } };
      const invalid = createHouseholdRecord();
      const mutations = [
        box.create('household', h1), // 1
        box.create('household', h2), // 2
        box.create('person', p), // 3: reads h1, created just before
        box.update('household', h2, { ...h2, headName: 'Nguyễn Thị Lan' }), // 4: reads h2, created just before
        box.update('household', e, { ...e, notes: 'Nhà đóng cửa' }), // 5: the other device changed notes: a conflict
        box.create('household', notMine), // 6
        box.raw({ entity: 'household', id: stray.id, op: 'upsert', fields: strayFields }), // 7
        box.raw({ entity: 'household', id: strayAndInvalid.id, op: 'upsert', fields: strayAndInvalidFields }), // 8
        box.raw({ entity: 'household', id: invalid.id, op: 'upsert', fields: { ...invalid, povertyStatus: 'rich' } }), // 9
        box.create('household', h3), // 10
        box.create('household', h1), // 11: the same create again: h1 exists now, nothing changes
      ];
      for (const m of mutations) delete (m.fields as Record<string, unknown>).id;
      const r = await push(cookie, box.body(mutations));
      expect(r.status).toBe(200);
      const body = r.body as PushResponse;
      expect(body.lastAppliedSeq).toBe(11);
      const brief = body.results.map((x) => (x.status === 'rejected' ? [x.seq, x.error!.code, x.error!.path] : [x.seq, x.status, x.conflicts]));
      expect(brief).toEqual([
        [1, 'applied', undefined],
        [2, 'applied', undefined],
        [3, 'applied', undefined],
        [4, 'applied', undefined],
        [5, 'applied', ['notes']],
        [6, 'forbidden', 'group'],
        [7, 'invalid_record', 'address.nationalId'],
        [8, 'invalid_record', 'address.nationalId'], // the stray key is reported first, as before
        [9, 'invalid_record', 'povertyStatus'],
        [10, 'applied', undefined],
        [11, 'applied', undefined],
      ]);

      // Stored: exactly the applied creates and edits, with the server's values where they won.
      const [s1, s2, s3, sp, se] = await Promise.all([stored('household', h1.id), stored('household', h2.id), stored('household', h3.id), stored('person', p.id), stored('household', e.id)]);
      expect(s1!.record).toMatchObject({ headName: h1.headName, group: 'TDP 1' });
      expect(s2!.record).toMatchObject({ headName: 'Nguyễn Thị Lan', group: 'TDP 2' });
      expect(s3!.record).toMatchObject({ group: 'TDP 2' });
      expect(sp!.group_code).toBe('TDP 1'); // its household's group, read within the push
      expect(se!.record.notes).toBe('Đã hẹn sáng thứ bảy');
      for (const id of [notMine.id, stray.id, strayAndInvalid.id, invalid.id]) expect(await stored('household', id)).toBeUndefined();
      const conflicts = await s.db.kysely.selectFrom('conflicts').selectAll().where('record_id', '=', e.id).execute();
      expect(conflicts.map((c) => [c.field, JSON.parse(c.server_value!), JSON.parse(c.client_value!)])).toEqual([['notes', 'Đã hẹn sáng thứ bảy', 'Nhà đóng cửa']]);
      const rejected = await s.db.kysely.selectFrom('rejected_mutations').selectAll().where('client_id', '=', box.clientId).orderBy('seq').execute();
      expect(rejected.map((x) => [Number(x.seq), x.code])).toEqual([
        [6, 'forbidden'],
        [7, 'invalid_record'],
        [8, 'invalid_record'],
        [9, 'invalid_record'],
      ]);
      expect(rejected.some((x) => x.fields.includes('nationalId'))).toBe(false); // never stored

      // Versions: one per write in seq order (h1, h2, p, h2 again, e, h3), the counter moved by exactly that.
      const counter = Number((await s.db.kysely.selectFrom('ward_counters').select('seq').where('ward_code', '=', 'CUANAM').executeTakeFirstOrThrow()).seq);
      expect(counter).toBe(counterBefore + 6);
      expect([s1!.version, sp!.version, s2!.version, se!.version, s3!.version]).toEqual([1, 3, 4, 5, 6].map((k) => counterBefore + k));
      const pulled = (await s.request('GET', `/api/v1/sync/pull?cursor=${counterBefore}&limit=1000`, { cookie })).body as PullResponse;
      expect(pulled.changes.map((c) => [c.id, c.version])).toEqual([
        [h1.id, counterBefore + 1],
        [p.id, counterBefore + 3],
        [h2.id, counterBefore + 4],
        [e.id, counterBefore + 5],
        [h3.id, counterBefore + 6],
      ]);

      // The ward's figures, kept by the push, equal a recount from records.
      const recount = await s.db.readTx((trx) => recountWard(trx, s.db.dialect, 'CUANAM'));
      const kept = await s.db.readTx((trx) => storedWard(trx, 'CUANAM'));
      expect(plain(kept.groups)).toEqual(plain(recount));

      // Sent again, the whole push changes nothing and is answered as duplicates.
      const again = await push(cookie, box.body(mutations));
      expect((again.body as PushResponse).results.every((x) => x.status === 'duplicate')).toBe(true);
      expect(Number((await s.db.kysely.selectFrom('ward_counters').select('seq').where('ward_code', '=', 'CUANAM').executeTakeFirstOrThrow()).seq)).toBe(counter);
    });

    it('answers visits and people that name households and people read ahead with the push as it would one by one', async () => {
      const setup = new Outbox();
      const h = createHouseholdRecord();
      const p = createPersonRecord(h.id);
      expect((await push(cookie, setup.body([setup.create('household', h), setup.create('person', p)]))).status).toBe(200);

      const box = new Outbox();
      const visits = Array.from({ length: 20 }, () => createVisitRecord(h.id, { people: [{ personId: p.id, steps: [], independent: [] }] }));
      const unknownPerson = createVisitRecord(h.id, { people: [{ personId: createPersonRecord(h.id).id, steps: [], independent: [] }] });
      const unknownHousehold = createVisitRecord(createHouseholdRecord().id);
      const nul = createVisitRecord(h.id);
      const later = createHouseholdRecord();
      const laterPerson = createPersonRecord(later.id); // names a household created further on in the push
      const mutations = [
        ...visits.map((v) => box.create('visit', v)), // 1-20
        box.create('visit', unknownPerson), // 21
        box.create('visit', unknownHousehold), // 22
        box.raw({ entity: 'visit', id: nul.id, op: 'upsert', fields: { ...nul, householdId: `${h.id}\u0000` } }), // 23
        box.update('household', h, { ...h, notes: 'Hẹn quay lại' }), // 24
        box.create('person', createPersonRecord(h.id)), // 25: its household changed just before
        box.create('person', laterPerson), // 26: its household does not exist yet
        box.create('household', later), // 27
        box.create('person', createPersonRecord(later.id)), // 28: now it does
      ];
      for (const m of mutations) delete (m.fields as Record<string, unknown>).id;
      const r = await push(cookie, box.body(mutations));
      expect(r.status).toBe(200);
      const brief = (r.body as PushResponse).results.map((x) => (x.status === 'rejected' ? [x.seq, x.error!.code, x.error!.path] : [x.seq, x.status]));
      expect(brief).toEqual([
        ...visits.map((_, i) => [i + 1, 'applied']),
        [21, 'unknown_person', 'people.0.personId'],
        [22, 'unknown_household', 'householdId'],
        [23, 'invalid_record', 'householdId'],
        [24, 'applied'],
        [25, 'applied'],
        [26, 'unknown_household', 'householdId'],
        [27, 'applied'],
        [28, 'applied'],
      ]);
      for (const v of visits) expect((await stored('visit', v.id))!.group_code).toBe('TDP 1');
      const recount = await s.db.readTx((trx) => recountWard(trx, s.db.dialect, 'CUANAM'));
      const kept = await s.db.readTx((trx) => storedWard(trx, 'CUANAM'));
      expect(plain(kept.groups)).toEqual(plain(recount));
    });

    it('stores 300 household creates of one push once each, with versions in seq order', async () => {
      const box = new Outbox();
      const hs = Array.from({ length: 300 }, (_, i) => createHouseholdRecord({ group: i % 2 ? 'TDP 1' : 'TDP 2' }));
      const before = Number((await s.db.kysely.selectFrom('ward_counters').select('seq').where('ward_code', '=', 'CUANAM').executeTakeFirstOrThrow()).seq);
      const r = await push(cookie, box.body(hs.map((h) => box.create('household', h))));
      expect((r.body as PushResponse).results.every((x) => x.status === 'applied')).toBe(true);
      const rows = await s.db.kysely.selectFrom('records').select(['id', 'version']).where('id', 'in', hs.map((h) => h.id)).orderBy('version').execute();
      expect(rows.map((x) => [x.id, Number(x.version)])).toEqual(hs.map((h, i) => [h.id, before + 1 + i]));
    });
  });
}
