// @vitest-environment node
// Consent means erasure, and scope is enforced on every write: on SQLite and
// (when available) PostgreSQL. Each test seeds its own records; the personal
// values of the withdrawal test are unique to it, so scanning every table for
// them proves the erasure.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { ensureWardGroups } from '../../src/server/wards';

const TDP_1_TO_9 = Array.from({ length: 9 }, (_, i) => `TDP ${i + 1}`);
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import type { PullResponse, PushResponse } from '../../src/shared/protocol';
import type { Household } from '../../src/shared/schemas';

warnIfNoPostgres();

/** Every user table of the database, read as text. */
async function everyTableText(s: TestServer): Promise<string> {
  const names =
    s.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(s.db.kysely)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(s.db.kysely)).rows.map((r) => r.name);
  let text = '';
  for (const name of names) {
    const { rows } = await sql`select * from ${sql.table(name)}`.execute(s.db.kysely);
    text += JSON.stringify(rows);
  }
  expect(names).toEqual(expect.arrayContaining(['records', 'conflicts', 'rejected_mutations']));
  return text;
}

const codesOf = (r: { body: unknown }) => (r.body as PushResponse).results.map((x) => x.error?.code ?? x.status);

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`consent and scope on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let tdp1: TestUser;
    let tdp2: TestUser;
    let supCookie: string;
    let tdp1Cookie: string;
    let tdp2Cookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      // The wards' residential groups these tests use (a push refuses other groups: unknown_group).
      for (const ward of ['CUANAM', 'HOANKIEM']) await ensureWardGroups(s.db, ward, TDP_1_TO_9);
      sup = await s.createUser({ role: 'supervisor' });
      tdp1 = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      tdp2 = await s.createUser({ role: 'volunteer', groups: ['TDP 2'] });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      tdp1Cookie = (await s.login(tdp1.username, tdp1.password)).cookie;
      tdp2Cookie = (await s.login(tdp2.username, tdp2.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const push = async (cookie: string, body: unknown) => s.request('POST', '/api/v1/sync/push', { cookie, body });
    async function pullAll(cookie: string, cursor = 0) {
      const changes: PullResponse['changes'] = [];
      for (;;) {
        const r = await s.request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=3`, { cookie });
        expect(r.status).toBe(200);
        const body = r.body as PullResponse;
        changes.push(...body.changes);
        cursor = body.cursor;
        if (!body.hasMore) return { changes, cursor };
      }
    }
    const recordRow = (entity: string, id: string) =>
      s.db.kysely.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirstOrThrow();

    it('withdrawn consent leaves no name, phone, birth year or disability flag in any table or any pull', async () => {
      const PERSONAL = ['Đặng Thị Quyên', '0912000111', 'Lưu Văn Khải', '0988000222', '"birthYear":1931', 'Khách Vãng Lai Tý', '"walkInBirthYear":1933', '"disability":true', 'Ghi chú riêng', 'Chi tiết riêng', 'Hộ Quyên'];
      const box = new Outbox();
      const h = createHouseholdRecord({ headName: 'Đặng Thị Quyên', phone: '0912000111', notes: 'Hộ Quyên: gọi trước', consent: { given: true, at: new Date().toISOString(), by: tdp1.id } });
      const p = createPersonRecord(h.id, { fullName: 'Lưu Văn Khải', birthYear: 1931, phone: '0988000222', flags: { disability: true, livesAlone: true } });
      const v = createVisitRecord(h.id, {
        notes: 'Ghi chú riêng về cụ Khải',
        escalate: { reason: 'identity_verification', detail: 'Chi tiết riêng: ảnh không khớp' },
        people: [
          { personId: p.id, steps: [{ platform: 'vneid', step: 'installed', status: 'done' }] },
          { walkInName: 'Khách Vãng Lai Tý', walkInBirthYear: 1933, walkInFlags: { disability: true, poorHousehold: false }, steps: [] },
        ],
        services: ['Cài VNeID'],
      });
      expect(codesOf(await push(tdp1Cookie, box.body([box.create('household', h), box.create('person', p), box.create('visit', v)])))).toEqual(['applied', 'applied', 'applied']);
      // A conflict row and a rejected mutation that quote personal data.
      const other = new Outbox();
      await push(supCookie, other.body([other.update('household', h, { ...h, notes: 'Hộ Quyên: chỉ buổi tối' })]));
      expect((await push(tdp1Cookie, box.body([box.update('household', h, { ...h, notes: 'Hộ Quyên: ở nhà sáng' })]))).body.results[0].conflicts).toEqual(['notes']);
      expect(codesOf(await push(tdp1Cookie, box.body([box.update('person', p, { ...p, fullName: 'Lưu Văn Khải (cụ)', birthYear: 3000 })])))).toEqual(['invalid_record']);
      const supBefore = await pullAll(supCookie);
      const volBefore = await pullAll(tdp1Cookie);

      // The volunteer sends only the consent change; the server clears the rest itself.
      const consentOnly = { id: h.id, consent: h.consent };
      const withdrawn = { id: h.id, consent: { given: false, at: new Date().toISOString(), by: tdp1.id } };
      expect(codesOf(await push(tdp1Cookie, box.body([box.update('household', consentOnly, withdrawn)])))).toEqual(['applied']);

      const text = await everyTableText(s);
      for (const value of PERSONAL) expect(text.slice(Math.max(0, text.indexOf(value) - 300), text.indexOf(value) + 50), value).not.toContain(value);
      for (const [cookie, cursor] of [[supCookie, 0], [tdp1Cookie, 0], [supCookie, supBefore.cursor], [tdp1Cookie, volBefore.cursor]] as const) {
        const pulled = JSON.stringify((await pullAll(cookie, cursor)).changes);
        for (const value of PERSONAL) expect(pulled, value).not.toContain(value);
      }
      // The person is a minimal tombstone; the household keeps its address; the
      // visit keeps what the ward's figures need.
      const pulled = (await pullAll(supCookie, supBefore.cursor)).changes;
      const person = pulled.find((c) => c.id === p.id)!;
      expect(Object.keys(person.record!).sort()).toEqual(['createdAt', 'deleted', 'householdId', 'id', 'updatedAt', 'wardCode']);
      expect(person.record).toMatchObject({ deleted: true, householdId: h.id });
      expect(pulled.find((c) => c.id === h.id)!.record).toMatchObject({ address: h.address, consent: { given: false } });
      const visit = pulled.find((c) => c.id === v.id)!.record!;
      expect(visit).toMatchObject({ outcome: 'helped', services: ['Cài VNeID'], escalate: { reason: 'identity_verification' } });
      expect(visit.notes).toBeUndefined();
      // A later edit of the erased person is refused with its own code, and keeps nothing.
      const late = await push(tdp1Cookie, box.body([box.update('person', p, { ...p, phone: '0988000222' })]));
      expect(codesOf(late)).toEqual(['deleted']);
      expect(await everyTableText(s)).not.toContain('0988000222');

      const erasures = await s.request('GET', '/api/v1/privacy/erasures', { cookie: supCookie });
      expect(erasures.status).toBe(200);
      expect(erasures.body.erasures).toContainEqual(
        // The household, its person, its visit and the case the escalated visit opened.
        expect.objectContaining({ householdId: h.id, userId: tdp1.id, reason: 'consent_withdrawn', records: 4, at: expect.any(String) }),
      );
      for (const value of PERSONAL) expect(JSON.stringify(erasures.body), value).not.toContain(value);
      const forbidden = await s.request('GET', '/api/v1/privacy/erasures', { cookie: tdp1Cookie });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('forbidden');
    });

    it('deleting a household erases it the same way and logs the erasure', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord({ headName: 'Tạ Văn Bính' });
      const p = createPersonRecord(h.id, { fullName: 'Tạ Thị Cúc' });
      const v = createVisitRecord(h.id, { notes: 'Bính hẹn chiều' });
      await push(supCookie, box.body([box.create('household', h), box.create('person', p), box.create('visit', v)]));
      expect(codesOf(await push(supCookie, box.body([box.remove('household', h.id)])))).toEqual(['applied']);
      const text = await everyTableText(s);
      for (const value of ['Tạ Văn Bính', 'Tạ Thị Cúc', 'Bính hẹn chiều']) expect(text).not.toContain(value);
      expect(JSON.parse((await recordRow('household', h.id)).data)).toEqual({
        id: h.id, wardCode: 'CUANAM', deleted: true, createdAt: expect.any(String), updatedAt: expect.any(String), group: 'TDP 1',
      });
      const log = (await s.request('GET', '/api/v1/privacy/erasures', { cookie: supCookie })).body.erasures;
      expect(log).toContainEqual(expect.objectContaining({ householdId: h.id, userId: sup.id, reason: 'household_deleted', records: 3 }));
    });

    it('a person or a visit naming a person, under a household without consent, is refused consent_required', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord({ consent: { given: false, at: new Date().toISOString(), by: tdp1.id }, headName: undefined });
      const p = createPersonRecord(h.id, { fullName: 'Không Đồng Ý', birthYear: 1950 });
      const v = createVisitRecord(h.id, { people: [{ personId: p.id, steps: [] }] });
      const r = await push(tdp1Cookie, box.body([box.create('household', h), box.create('person', p), box.create('visit', v), box.create('visit', createVisitRecord(h.id, { outcome: 'declined' }))]));
      expect(codesOf(r)).toEqual(['applied', 'consent_required', 'consent_required', 'applied']);
      expect(await everyTableText(s)).not.toContain('Không Đồng Ý');
      // A person stored before the server checked consent cannot be edited either.
      const legacy = createPersonRecord(h.id, { fullName: 'Người Cũ' });
      await s.db.kysely.insertInto('records').values({
        entity: 'person', id: legacy.id, ward_code: 'CUANAM', group_code: 'TDP 1', created_by: tdp1.id,
        data: JSON.stringify(legacy), deleted: 0, version: -1, server_updated_at: legacy.createdAt,
      }).execute();
      expect(codesOf(await push(tdp1Cookie, box.body([box.update('person', legacy, { ...legacy, birthYear: 1951 })])))).toEqual(['consent_required']);
    });

    it('a volunteer cannot add a person, a visit or a household outside their groups (forbidden)', async () => {
      const sbox = new Outbox();
      const h2 = createHouseholdRecord({ group: 'TDP 2' });
      await push(supCookie, sbox.body([sbox.create('household', h2)]));
      const box = new Outbox();
      const r = await push(tdp1Cookie, box.body([
        box.create('person', createPersonRecord(h2.id)),
        box.create('visit', createVisitRecord(h2.id)),
        box.create('household', createHouseholdRecord({ group: 'TDP 2' })),
      ]));
      expect(codesOf(r)).toEqual(['forbidden', 'forbidden', 'forbidden']);
      // The TDP 2 volunteer may.
      const ok = new Outbox();
      expect(codesOf(await push(tdp2Cookie, ok.body([ok.create('person', createPersonRecord(h2.id)), ok.create('visit', createVisitRecord(h2.id))])))).toEqual(['applied', 'applied']);
    });

    it('the server sets visit.volunteerId and consent.by to the signed-in user, whatever the client sent', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord({ consent: { given: true, at: new Date().toISOString(), by: 'someone-else' } });
      const v = createVisitRecord(h.id, { volunteerId: 'someone-else' });
      expect(codesOf(await push(tdp1Cookie, box.body([box.create('household', h), box.create('visit', v)])))).toEqual(['applied', 'applied']);
      expect(JSON.parse((await recordRow('household', h.id)).data).consent.by).toBe(tdp1.id);
      expect(JSON.parse((await recordRow('visit', v.id)).data).volunteerId).toBe(tdp1.id);
      const stored = JSON.parse((await recordRow('household', h.id)).data) as Household;
      const again = { ...stored, consent: { given: false, at: new Date().toISOString(), by: 'spoofed' } };
      delete again.headName;
      const sbox = new Outbox();
      expect(codesOf(await push(supCookie, sbox.body([sbox.update('household', stored, again)])))).toEqual(['applied']);
      expect(JSON.parse((await recordRow('household', h.id)).data).consent.by).toBe(sup.id);
    });

    it("another ward's record id answers exactly like an unknown id", async () => {
      const otherSup = await s.createUser({ role: 'supervisor', wardCode: 'HOANKIEM' });
      const otherCookie = (await s.login(otherSup.username, otherSup.password)).cookie;
      const theirs = createHouseholdRecord({ wardCode: 'HOANKIEM' });
      const ob = new Outbox();
      expect(codesOf(await push(otherCookie, ob.body([ob.create('household', theirs)])))).toEqual(['applied']);
      const unknown = createHouseholdRecord();
      const attempt = (target: Household) => {
        const box = new Outbox();
        return push(supCookie, box.body([
          box.update('household', target, { ...target, notes: 'x' }),
          box.remove('household', target.id),
          box.remove('person', target.id),
        ]));
      };
      const [a, b] = [await attempt(theirs), await attempt(unknown)];
      const strip = (r: { body: unknown }) => JSON.stringify(r.body).replaceAll(theirs.id, 'ID').replaceAll(unknown.id, 'ID');
      expect(strip(a)).toEqual(strip(b));
      expect(JSON.parse((await recordRow('household', theirs.id)).data).notes).toBeUndefined();
    });

    it('the export shows no display name of another ward, even for a visit that names that user', async () => {
      const stranger = await s.createUser({ role: 'volunteer', wardCode: 'HOANKIEM', groups: ['TDP 1'] });
      await s.db.kysely.updateTable('users').set({ display_name: 'Người Phường Khác' }).where('id', '=', stranger.id).execute();
      const box = new Outbox();
      const h = createHouseholdRecord();
      await push(supCookie, box.body([box.create('household', h)]));
      // A visit stored before the server set volunteerId itself.
      const legacy = createVisitRecord(h.id, { volunteerId: stranger.id });
      await s.db.kysely.insertInto('records').values({
        entity: 'visit', id: legacy.id, ward_code: 'CUANAM', group_code: 'TDP 1', created_by: stranger.id,
        data: JSON.stringify(legacy), deleted: 0, version: -2, server_updated_at: legacy.createdAt,
      }).execute();
      const csv = await s.request('GET', '/api/v1/exports/visits.csv', { cookie: supCookie });
      expect(csv.status).toBe(200);
      expect(csv.body as string).not.toContain('Người Phường Khác');
      expect(csv.body as string).toContain(stranger.id);
    });

    it("a household's move carries its people and visits, and the old group's volunteer is told to drop them", async () => {
      const box = new Outbox();
      const h = createHouseholdRecord({ group: 'TDP 1' });
      const p = createPersonRecord(h.id);
      const v = createVisitRecord(h.id);
      await push(tdp1Cookie, box.body([box.create('household', h), box.create('person', p), box.create('visit', v)]));
      const before1 = await pullAll(tdp1Cookie);
      const before2 = await pullAll(tdp2Cookie);
      const versions = await Promise.all(['household', 'person', 'visit'].map(async (e, i) => Number((await recordRow(e, [h.id, p.id, v.id][i]!)).version)));
      const sbox = new Outbox();
      expect(codesOf(await push(supCookie, sbox.body([sbox.update('household', h, { ...h, group: 'TDP 2' })])))).toEqual(['applied']);
      for (const [e, id, old] of [['household', h.id, versions[0]], ['person', p.id, versions[1]], ['visit', v.id, versions[2]]] as const) {
        const row = await recordRow(e, id);
        expect(row.group_code).toBe('TDP 2');
        expect(Number(row.version)).toBeGreaterThan(old!);
      }
      const gone = (await pullAll(tdp1Cookie, before1.cursor)).changes;
      expect(gone.filter((c) => [h.id, p.id, v.id].includes(c.id))).toEqual(
        expect.arrayContaining([h.id, p.id, v.id].map((id) => ({ entity: expect.any(String), id, version: expect.any(Number), record: null, removed: 'out_of_scope' }))),
      );
      const came = (await pullAll(tdp2Cookie, before2.cursor)).changes;
      expect(came.filter((c) => c.record !== null).map((c) => c.id)).toEqual(expect.arrayContaining([h.id, p.id, v.id]));
      // Moving it back: the removal is no longer sent to TDP 1, the records are.
      const back = new Outbox();
      const moved = { ...h, group: 'TDP 2' };
      await push(supCookie, back.body([back.update('household', moved, h)]));
      const fromZero = (await pullAll(tdp1Cookie)).changes.filter((c) => c.id === h.id);
      expect(fromZero.map((c) => c.record === null)).toEqual([false]);
    });

    it('a volunteer who loses a group is told to drop its records', async () => {
      const lan = await s.createUser({ role: 'volunteer', groups: ['TDP 7', 'TDP 8'] });
      const cookie = (await s.login(lan.username, lan.password)).cookie;
      const box = new Outbox();
      const h7 = createHouseholdRecord({ group: 'TDP 7' });
      const p7 = createPersonRecord(h7.id);
      const h8 = createHouseholdRecord({ group: 'TDP 8' });
      await push(cookie, box.body([box.create('household', h7), box.create('person', p7), box.create('household', h8)]));
      const before = await pullAll(cookie);
      const patched = await s.request('PATCH', `/api/v1/users/${lan.id}`, { cookie: supCookie, body: { groups: ['TDP 8'] } });
      expect(patched.status).toBe(200);
      const after = (await pullAll(cookie, before.cursor)).changes;
      expect(after.map((c) => [c.id, 'removed' in c ? c.removed : undefined])).toEqual(expect.arrayContaining([[h7.id, 'out_of_scope'], [p7.id, 'out_of_scope']]));
      expect(after.map((c) => c.id)).not.toContain(h8.id);
      // Given back, the group is not removed again: its records come from cursor 0.
      await s.request('PATCH', `/api/v1/users/${lan.id}`, { cookie: supCookie, body: { groups: ['TDP 7', 'TDP 8'] } });
      const again = (await pullAll(cookie)).changes.filter((c) => c.id === h7.id);
      expect(again.map((c) => c.record === null)).toEqual([false]);
    });
  });
}
