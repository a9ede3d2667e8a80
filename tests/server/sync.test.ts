// @vitest-environment node
// Push and pull semantics, on SQLite and (when available) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { ensureWardGroups } from '../../src/server/wards';

const TDP_1_TO_9 = Array.from({ length: 9 }, (_, i) => `TDP ${i + 1}`);
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import type { PushResponse, PullResponse } from '../../src/shared/protocol';

warnIfNoPostgres();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`sync on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let supCookie: string;
    let volCookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      // The wards' residential groups these tests use (a push refuses other groups: unknown_group).
      for (const ward of ['CUANAM', 'HOANKIEM']) await ensureWardGroups(s.db, ward, TDP_1_TO_9);
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const push = async (cookie: string, body: unknown) => s.request('POST', '/api/v1/sync/push', { cookie, body });
    const recordRow = (entity: string, id: string) =>
      s.db.kysely.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
    const countRecords = async () =>
      Number((await s.db.kysely.selectFrom('records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    async function pullAll(cookie: string, cursor = 0) {
      const changes: PullResponse['changes'] = [];
      for (;;) {
        const r = await s.request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=1000`, { cookie });
        expect(r.status).toBe(200);
        const body = r.body as PullResponse;
        changes.push(...body.changes);
        cursor = body.cursor;
        if (!body.hasMore) return { changes, cursor };
      }
    }

    it('applies a household, a person and a visit created in one push, and pulls them back', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord();
      const p = createPersonRecord(h.id, { phone: '+84 912 345 678' });
      const v = createVisitRecord(h.id, { people: [{ personId: p.id, steps: [], independent: [] }] });
      const r = await push(volCookie, box.body([box.create('household', h), box.create('person', p), box.create('visit', v)]));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        lastAppliedSeq: 3,
        results: [
          { seq: 1, status: 'applied' },
          { seq: 2, status: 'applied' },
          { seq: 3, status: 'applied' },
        ],
      });
      const stored = JSON.parse((await recordRow('person', p.id))!.data);
      expect(stored.phone).toBe('0912345678'); // the parsed, normalised record is stored
      expect((await recordRow('person', p.id))!.group_code).toBe('TDP 1'); // inherited from the household
      const client = await s.db.kysely.selectFrom('clients').selectAll().where('client_id', '=', box.clientId).executeTakeFirstOrThrow();
      expect(Number(client.last_applied_seq)).toBe(3);

      const pulled = await pullAll(volCookie);
      const ids = pulled.changes.map((c) => c.id);
      expect(ids).toEqual(expect.arrayContaining([h.id, p.id, v.id]));
      const versions = pulled.changes.map((c) => c.version);
      expect([...versions].sort((a, b) => a - b)).toEqual(versions);
      const hh = pulled.changes.find((c) => c.id === h.id)!;
      expect(hh.record).toMatchObject({ id: h.id, headName: 'Trần Văn Minh', deleted: false });
    });

    it('replaying a pushed batch changes nothing and answers duplicate for every mutation', async () => {
      const box = new Outbox();
      const h1 = createHouseholdRecord();
      const h2 = createHouseholdRecord({ group: 'TDP 2' });
      const body = box.body([box.create('household', h1), box.create('household', h2)]);
      expect((await push(supCookie, body)).status).toBe(200);
      const before = await s.db.kysely.selectFrom('records').selectAll().orderBy('version').execute();
      const counter = await s.db.kysely.selectFrom('ward_counters').selectAll().execute();
      const replay = await push(supCookie, body);
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({
        lastAppliedSeq: 2,
        results: [
          { seq: 1, status: 'duplicate' },
          { seq: 2, status: 'duplicate' },
        ],
      });
      expect(await s.db.kysely.selectFrom('records').selectAll().orderBy('version').execute()).toEqual(before);
      expect(await s.db.kysely.selectFrom('ward_counters').selectAll().execute()).toEqual(counter);
    });

    it('10 identical pushes fired at once store each record once', async () => {
      const box = new Outbox();
      const hs = Array.from({ length: 5 }, () => createHouseholdRecord());
      const body = box.body(hs.map((h) => box.create('household', h)));
      const before = await countRecords();
      const answers = await Promise.all(Array.from({ length: 10 }, () => push(supCookie, body)));
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect((a.body as PushResponse).lastAppliedSeq).toBe(5);
      }
      const statuses = answers.map((a) => (a.body as PushResponse).results.map((r) => r.status).join());
      expect(statuses.filter((x) => x === 'applied,applied,applied,applied,applied')).toHaveLength(1);
      expect(statuses.filter((x) => x === 'duplicate,duplicate,duplicate,duplicate,duplicate')).toHaveLength(9);
      expect(await countRecords()).toBe(before + 5);
      for (const h of hs) {
        const row = await recordRow('household', h.id);
        expect(row).toBeDefined();
      }
    });

    it('a gap in seq gives 409 seq_gap with lastAppliedSeq, and applies nothing', async () => {
      const box = new Outbox();
      const h1 = createHouseholdRecord();
      expect((await push(supCookie, box.body([box.create('household', h1)]))).status).toBe(200);
      box.seq += 1; // seq 2 goes missing
      const h3 = createHouseholdRecord();
      const before = await countRecords();
      const r = await push(supCookie, box.body([box.create('household', h3)]));
      expect(r.status).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'seq_gap', lastAppliedSeq: 1 });
      expect(await countRecords()).toBe(before);
      // A brand-new client whose first seq is not 1 is a gap too, and leaves no client row behind.
      const fresh = new Outbox();
      fresh.seq = 4;
      const r2 = await push(supCookie, fresh.body([fresh.create('household', createHouseholdRecord())]));
      expect(r2.status).toBe(409);
      expect(r2.body.error.lastAppliedSeq).toBe(0);
    });

    it('an invalid mutation between two valid ones: only it is rejected, the later one applies, the rejection is kept', async () => {
      const box = new Outbox();
      const good1 = createHouseholdRecord();
      const bad = createHouseholdRecord({ address: { houseNumber: '', street: 'Hàng Bông' } });
      const good2 = createHouseholdRecord();
      const r = await push(volCookie, box.body([box.create('household', good1), box.create('household', bad), box.create('household', good2)]));
      expect(r.status).toBe(200);
      const body = r.body as PushResponse;
      expect(body.lastAppliedSeq).toBe(3);
      expect(body.results.map((x) => x.status)).toEqual(['applied', 'rejected', 'applied']);
      expect(body.results[1]!.error).toMatchObject({ code: 'invalid_record', path: 'address.houseNumber' });
      expect(await recordRow('household', good2.id)).toBeDefined();
      expect(await recordRow('household', bad.id)).toBeUndefined();
      const kept = await s.db.kysely.selectFrom('rejected_mutations').selectAll().where('record_id', '=', bad.id).execute();
      expect(kept).toHaveLength(1);
      expect(kept[0]).toMatchObject({ code: 'invalid_record', client_id: box.clientId, user_id: vol.id, path: 'address.houseNumber' });
      expect(Number(kept[0]!.seq)).toBe(2);
      expect(JSON.parse(kept[0]!.fields).address).toEqual({ houseNumber: '', street: 'Hàng Bông' });
      // The volunteer sees it in "needs attention", and so does the supervisor.
      const mine = await s.request('GET', '/api/v1/attention', { cookie: volCookie });
      expect(mine.body.rejected.map((x: { recordId: string }) => x.recordId)).toContain(bad.id);
      const ward = await s.request('GET', '/api/v1/attention', { cookie: supCookie });
      expect(ward.body.rejected.map((x: { recordId: string }) => x.recordId)).toContain(bad.id);
    });

    it('rejects wrong ward, unknown household, unknown person, unknown fields, and deletes of unknown records', async () => {
      const box = new Outbox();
      const other = createHouseholdRecord({ wardCode: 'HOANKIEM' });
      const orphan = createPersonRecord('0190a0c0-0000-7000-8000-000000000000');
      const h = createHouseholdRecord();
      const walkIn = createVisitRecord(h.id, { people: [{ personId: '0190a0c0-0000-7000-8000-000000000001', steps: [] }] });
      const r = await push(volCookie, box.body([
        box.create('household', other),
        box.create('person', orphan),
        box.create('household', h),
        box.create('visit', walkIn),
        box.raw({ entity: 'household', id: createHouseholdRecord().id, op: 'upsert', fields: { ...createHouseholdRecord(), nationalId: '0123' } }),
        box.remove('household', createHouseholdRecord().id),
      ]));
      const codes = (r.body as PushResponse).results.map((x) => x.error?.code ?? x.status);
      expect(codes).toEqual(['wrong_ward', 'unknown_household', 'applied', 'unknown_person', 'invalid_record', 'not_found']);
      expect((r.body as PushResponse).results[3]!.error!.path).toBe('people.0.personId');
      expect((r.body as PushResponse).results[4]!.error!.path).toBe('nationalId');
    });

    it('two clients edit different fields of one household: both changes survive', async () => {
      const a = new Outbox();
      const b = new Outbox();
      const h = createHouseholdRecord();
      await push(supCookie, a.body([a.create('household', h)]));
      const r1 = await push(supCookie, a.body([a.update('household', h, { ...h, headName: 'Trần Văn Nam' })]));
      const r2 = await push(volCookie, b.body([b.update('household', h, { ...h, povertyStatus: 'near_poor' })]));
      expect((r1.body as PushResponse).results[0]).toEqual({ seq: 2, status: 'applied' });
      expect((r2.body as PushResponse).results[0]).toEqual({ seq: 1, status: 'applied' });
      const stored = JSON.parse((await recordRow('household', h.id))!.data);
      expect(stored.headName).toBe('Trần Văn Nam');
      expect(stored.povertyStatus).toBe('near_poor');
      const conflicts = await s.db.kysely.selectFrom('conflicts').selectAll().where('record_id', '=', h.id).execute();
      expect(conflicts).toHaveLength(0);
    });

    it('two clients edit the same field: one value wins, the other is a conflict row, nothing lost', async () => {
      const a = new Outbox();
      const b = new Outbox();
      const h = createHouseholdRecord();
      await push(supCookie, a.body([a.create('household', h)]));
      const before = await recordRow('household', h.id);
      await push(supCookie, a.body([a.update('household', h, { ...h, notes: 'Gọi trước khi đến' })]));
      const r = await push(volCookie, b.body([b.update('household', h, { ...h, notes: 'Chỉ ở nhà buổi tối' })]));
      expect((r.body as PushResponse).results[0]).toEqual({ seq: 1, status: 'applied', conflicts: ['notes'] });
      const row = await recordRow('household', h.id);
      expect(JSON.parse(row!.data).notes).toBe('Gọi trước khi đến');
      // The record's version moved, so the device that lost pulls the winning value.
      expect(Number(row!.version)).toBeGreaterThan(Number(before!.version) + 1);
      const conflicts = await s.db.kysely.selectFrom('conflicts').selectAll().where('record_id', '=', h.id).execute();
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ entity: 'household', field: 'notes', user_id: vol.id, client_id: b.clientId });
      expect(JSON.parse(conflicts[0]!.server_value!)).toBe('Gọi trước khi đến');
      expect(JSON.parse(conflicts[0]!.client_value!)).toBe('Chỉ ở nhà buổi tối');
      const att = await s.request('GET', '/api/v1/attention', { cookie: volCookie });
      expect(att.body.conflicts[0]).toMatchObject({ recordId: h.id, field: 'notes', clientValue: 'Chỉ ở nhà buổi tối', serverValue: 'Gọi trước khi đến' });
    });

    it('checklists of different platforms on one person merge without conflict', async () => {
      const a = new Outbox();
      const b = new Outbox();
      const h = createHouseholdRecord();
      const p = createPersonRecord(h.id);
      await push(supCookie, a.body([a.create('household', h), a.create('person', p)]));
      const vneid = structuredClone(p.platforms);
      vneid.vneid.steps.installed = { status: 'done' };
      const ihanoi = structuredClone(p.platforms);
      ihanoi.ihanoi.independent = true;
      await push(supCookie, a.body([a.update('person', p, { ...p, platforms: vneid })]));
      const r = await push(volCookie, b.body([b.update('person', p, { ...p, platforms: ihanoi })]));
      expect((r.body as PushResponse).results[0]!.conflicts).toBeUndefined();
      const stored = JSON.parse((await recordRow('person', p.id))!.data);
      expect(stored.platforms.vneid.steps.installed.status).toBe('done');
      expect(stored.platforms.ihanoi.independent).toBe(true);
    });

    it('visits are append-only; deletes are tombstones that pull returns', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord();
      const v = createVisitRecord(h.id);
      await push(supCookie, box.body([box.create('household', h), box.create('visit', v)]));
      const again = await push(supCookie, box.body([box.raw({ entity: 'visit', id: v.id, op: 'upsert', fields: { outcome: 'helped' } })]));
      expect((again.body as PushResponse).results[0]!.status).toBe('applied'); // identical re-send is fine
      const changed = await push(supCookie, box.body([box.raw({ entity: 'visit', id: v.id, op: 'upsert', fields: { outcome: 'declined' } })]));
      expect((changed.body as PushResponse).results[0]!.error!.code).toBe('immutable');
      const del = await push(supCookie, box.body([box.remove('visit', v.id), box.remove('household', h.id)]));
      expect((del.body as PushResponse).results.map((x) => x.error?.code ?? x.status)).toEqual(['immutable', 'applied']);
      const row = await recordRow('household', h.id);
      expect(row!.deleted).toBe(1);
      expect(JSON.parse(row!.data).deleted).toBe(true);
      const pulled = await pullAll(supCookie);
      expect(pulled.changes.find((c) => c.id === h.id)!.record!.deleted).toBe(true);
    });

    it('a volunteer pulls their groups and their own walk-ins only; a supervisor the whole ward', async () => {
      const box = new Outbox();
      const mine = createHouseholdRecord({ group: 'TDP 1' });
      const others = createHouseholdRecord({ group: 'TDP 9' });
      await push(supCookie, box.body([box.create('household', mine), box.create('household', others)]));
      const own = new Outbox();
      const created = createVisitRecord(mine.id, { channel: 'literacy_point', literacyPointId: 'Nhà văn hoá TDP 1' });
      delete created.householdId;
      await push(volCookie, own.body([own.create('visit', created)]));
      const volIds = (await pullAll(volCookie)).changes.map((c) => c.id);
      expect(volIds).toContain(mine.id);
      expect(volIds).toContain(created.id);
      expect(volIds).not.toContain(others.id);
      const supIds = (await pullAll(supCookie)).changes.map((c) => c.id);
      expect(supIds).toEqual(expect.arrayContaining([mine.id, others.id, created.id]));
      // A volunteer cannot edit a record outside their groups.
      const r = await push(volCookie, own.body([own.update('household', others, { ...others, notes: 'x' })]));
      expect((r.body as PushResponse).results[0]!.error!.code).toBe('forbidden');
    });

    it('pages by limit with hasMore and never repeats or skips', async () => {
      const box = new Outbox();
      await push(supCookie, box.body(Array.from({ length: 25 }, () => box.create('household', createHouseholdRecord()))));
      const all = await pullAll(supCookie);
      const seen: number[] = [];
      let cursor = 0;
      for (;;) {
        const r = await s.request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=7`, { cookie: supCookie });
        const body = r.body as PullResponse;
        expect(body.changes.length).toBeLessThanOrEqual(7);
        seen.push(...body.changes.map((c) => c.version));
        cursor = body.cursor;
        if (!body.hasMore) break;
      }
      expect(seen).toEqual(all.changes.map((c) => c.version));
      expect(new Set(seen).size).toBe(seen.length);
      const bad = await s.request('GET', '/api/v1/sync/pull?limit=5000', { cookie: supCookie });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      expect((await s.request('GET', '/api/v1/sync/pull?cursor=-1', { cookie: supCookie })).body.error.code).toBe('invalid_request');
    });

    it('a clientId belongs to the user who first used it', async () => {
      const box = new Outbox();
      await push(supCookie, box.body([box.create('household', createHouseholdRecord())]));
      const r = await push(volCookie, box.body([box.create('household', createHouseholdRecord())]));
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    });
  });
}
