// @vitest-environment node
// Escalation cases on SQLite and (when available) PostgreSQL: the server opens
// exactly one case per escalated visit, whatever retries and races; devices of
// responders and supervisors work on it through the ordinary merge; volunteers
// cannot; a responder sees cases and what they point at, nothing else; an
// erasure removes the case's detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { caseIdForVisit } from '../../src/server/cases';
import type { PullResponse, PushResponse } from '../../src/shared/protocol';
import { caseSchema, type Case } from '../../src/shared/schemas';

warnIfNoPostgres();

const codesOf = (r: { body: unknown }) => (r.body as PushResponse).results.map((x) => x.error?.code ?? x.status);

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`escalation cases on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let other: TestUser;
    let resp: TestUser;
    let resp2: TestUser;
    const cookies: Record<string, string> = {};

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      other = await s.createUser({ role: 'volunteer', groups: ['TDP 2'] });
      resp = await s.createUser({ role: 'responder' });
      resp2 = await s.createUser({ role: 'responder' });
      for (const u of [sup, vol, other, resp, resp2]) cookies[u.id] = (await s.login(u.username, u.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const push = (u: TestUser, body: unknown) => s.request('POST', '/api/v1/sync/push', { cookie: cookies[u.id]!, body });
    async function pullAll(u: TestUser, cursor = 0) {
      const changes: PullResponse['changes'] = [];
      for (;;) {
        const r = await s.request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=4`, { cookie: cookies[u.id]! });
        expect(r.status).toBe(200);
        const body = r.body as PullResponse;
        changes.push(...body.changes);
        cursor = body.cursor;
        if (!body.hasMore) return { changes, cursor };
      }
    }
    const caseRows = (visitId: string) =>
      s.db.kysely.selectFrom('records').selectAll().where('entity', '=', 'case').where('id', '=', caseIdForVisit(visitId)).execute();
    const storedCase = async (visitId: string) => JSON.parse((await caseRows(visitId))[0]!.data) as Case;

    /** A household of TDP 1 with a person and an escalated visit, pushed by the volunteer. */
    async function escalated(detail = 'Tài khoản VNeID bị khoá sau 5 lần nhập sai') {
      const box = new Outbox();
      const h = createHouseholdRecord({ group: 'TDP 1', consent: { given: true, at: new Date().toISOString(), by: vol.id } });
      const p = createPersonRecord(h.id);
      const v = createVisitRecord(h.id, { volunteerId: vol.id, escalate: { reason: 'account_problem', detail } });
      expect(codesOf(await push(vol, box.body([box.create('household', h), box.create('person', p), box.create('visit', v)])))).toEqual(['applied', 'applied', 'applied']);
      return { h, p, v, box, c: await storedCase(v.id) };
    }

    it('an escalated visit opens one case with the visit’s reason, detail, household and group', async () => {
      const { h, v, c } = await escalated();
      expect(caseSchema.parse(c)).toEqual(c);
      const visit = JSON.parse((await s.db.kysely.selectFrom('records').select('data').where('id', '=', v.id).executeTakeFirstOrThrow()).data) as { createdAt: string };
      expect(c).toEqual({
        id: caseIdForVisit(v.id), createdAt: visit.createdAt, updatedAt: visit.createdAt, deleted: false, wardCode: 'CUANAM',
        visitId: v.id, householdId: h.id, group: 'TDP 1', reason: 'account_problem', detail: 'Tài khoản VNeID bị khoá sau 5 lần nhập sai', status: 'open',
      });
      expect((await caseRows(v.id))[0]).toMatchObject({ group_code: 'TDP 1', created_by: vol.id });
    });

    it('a visit without escalate opens no case; a walk-in escalation opens one without group', async () => {
      const box = new Outbox();
      const plain = createVisitRecord(undefined as unknown as string, { householdId: undefined, channel: 'literacy_point', literacyPointId: 'Điểm 1' });
      const walkIn = createVisitRecord(undefined as unknown as string, {
        householdId: undefined, channel: 'literacy_point', literacyPointId: 'Điểm 1', escalate: { reason: 'technical', detail: 'Máy không nhận NFC' },
      });
      expect(codesOf(await push(vol, box.body([box.create('visit', plain), box.create('visit', walkIn)])))).toEqual(['applied', 'applied']);
      expect(await caseRows(plain.id)).toHaveLength(0);
      expect((await caseRows(walkIn.id))[0]).toMatchObject({ group_code: null, created_by: vol.id });
      expect((await storedCase(walkIn.id)).group).toBeUndefined();
      // The walk-in's case reaches its volunteer, not the volunteer of another group.
      expect((await pullAll(vol)).changes.some((ch) => ch.id === caseIdForVisit(walkIn.id))).toBe(true);
      expect((await pullAll(other)).changes.some((ch) => ch.id === caseIdForVisit(walkIn.id))).toBe(false);
    });

    it('a retried push, a resent visit and concurrent pushes of the same visit make exactly one case', async () => {
      const h = createHouseholdRecord({ group: 'TDP 1' });
      const setup = new Outbox();
      await push(vol, setup.body([setup.create('household', h)]));
      const v = createVisitRecord(h.id, { volunteerId: vol.id, escalate: { reason: 'technical', detail: 'Điện thoại cũ' } });
      // Ten devices of the same volunteer race with the same visit, each pushing twice.
      const boxes = Array.from({ length: 10 }, () => new Outbox());
      const bodies = boxes.map((b) => b.body([b.create('visit', v)]));
      const answers = await Promise.all([...bodies, ...bodies].map((body) => push(vol, body)));
      for (const a of answers) expect(a.status).toBe(200);
      expect(answers.flatMap(codesOf).every((c) => c === 'applied' || c === 'duplicate')).toBe(true);
      expect(await caseRows(v.id)).toHaveLength(1);
      const before = (await caseRows(v.id))[0]!.version;
      const again = new Outbox();
      expect(codesOf(await push(vol, again.body([again.create('visit', v)])))).toEqual(['applied']);
      expect((await caseRows(v.id))[0]!.version).toBe(before);
    });

    it('a visit escalated before cases existed gets its case when it is resent', async () => {
      const h = createHouseholdRecord({ group: 'TDP 1' });
      const v = createVisitRecord(h.id, { volunteerId: vol.id, escalate: { reason: 'technical', detail: 'Cũ' } });
      const box = new Outbox();
      await push(vol, box.body([box.create('household', h), box.create('visit', v)]));
      await s.db.kysely.deleteFrom('records').where('entity', '=', 'case').where('id', '=', caseIdForVisit(v.id)).execute();
      expect(codesOf(await push(vol, box.body([box.create('visit', v)])))).toEqual(['applied']);
      expect(await caseRows(v.id)).toHaveLength(1);
    });

    it('a responder takes, then resolves a case; resolvedAt is the server’s; the volunteer pulls it', async () => {
      const { v, c } = await escalated();
      const { cursor } = await pullAll(vol);
      const box = new Outbox();
      const taken = { ...c, status: 'in_progress' as const, assigneeId: resp.id };
      const first = await push(resp, box.body([box.update('case', c, taken)]));
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(codesOf(first)).toEqual(['applied']);
      const resolved = { ...taken, status: 'resolved' as const, resolution: 'Đã mở khoá tại công an phường' };
      expect(codesOf(await push(resp, box.body([box.update('case', taken, resolved)])))).toEqual(['applied']);
      const stored = await storedCase(v.id);
      expect(stored).toMatchObject({ status: 'resolved', assigneeId: resp.id, resolution: 'Đã mở khoá tại công an phường', resolvedAt: expect.any(String) });
      const pulled = (await pullAll(vol, cursor)).changes.find((ch) => ch.id === c.id);
      expect(pulled?.record).toEqual(stored);
      // Reopened: resolvedAt goes, whatever the device sent.
      const reopened = { ...stored, status: 'in_progress' as const };
      const sbox = new Outbox();
      expect(codesOf(await push(sup, sbox.body([sbox.update('case', stored, reopened)])))).toEqual(['applied']);
      expect((await storedCase(v.id)).resolvedAt).toBeUndefined();
    });

    it('resolving without a resolution is invalid_record; the case is unchanged', async () => {
      const { v, c } = await escalated();
      const box = new Outbox();
      const r = await push(resp, box.body([box.update('case', c, { ...c, status: 'resolved' })]));
      expect(r.body.results[0].error).toMatchObject({ code: 'invalid_record', path: 'resolution' });
      expect(await storedCase(v.id)).toEqual(c);
    });

    it('two responders assigning the same case at once: the first wins, the second is a conflict row', async () => {
      const { v, c } = await escalated();
      const a = new Outbox();
      const b = new Outbox();
      expect(codesOf(await push(resp, a.body([a.update('case', c, { ...c, status: 'in_progress', assigneeId: resp.id })])))).toEqual(['applied']);
      const second = await push(resp2, b.body([b.update('case', c, { ...c, status: 'in_progress', assigneeId: resp2.id })]));
      expect(second.body.results[0]).toEqual({ seq: 1, status: 'applied', conflicts: ['assigneeId'] });
      expect(await storedCase(v.id)).toMatchObject({ status: 'in_progress', assigneeId: resp.id });
      const conflict = await s.db.kysely.selectFrom('conflicts').selectAll().where('record_id', '=', c.id).executeTakeFirstOrThrow();
      expect(conflict).toMatchObject({ entity: 'case', field: 'assigneeId', user_id: resp2.id, client_value: JSON.stringify(resp2.id), server_value: JSON.stringify(resp.id) });
    });

    it.each([
      ['a volunteer changes a case’s status', 'vol', (c: Case) => ({ ...c, status: 'in_progress' }), 'forbidden', undefined],
      ['a responder rewrites the reason', 'resp', (c: Case) => ({ ...c, reason: 'other' }), 'immutable', 'reason'],
      ['a supervisor rewrites the detail', 'sup', (c: Case) => ({ ...c, detail: 'khác' }), 'immutable', 'detail'],
      ['a responder points it at another visit', 'resp', (c: Case) => ({ ...c, visitId: caseIdForVisit(c.id) }), 'immutable', 'visitId'],
      ['a responder assigns it to a volunteer', 'resp', (c: Case) => ({ ...c, assigneeId: 'VOL' }), 'invalid_record', 'assigneeId'],
    ] as const)('%s: %s, nothing changes', async (_label, who, edit, code, path) => {
      const { v, c } = await escalated();
      const user = { vol, resp, sup }[who];
      const after = edit(c) as Case;
      if (after.assigneeId === 'VOL') after.assigneeId = vol.id;
      const box = new Outbox();
      const r = await push(user, box.body([box.update('case', c, after)]));
      expect(r.body.results[0].error).toMatchObject(path === undefined ? { code } : { code, path });
      expect(await storedCase(v.id)).toEqual(c);
    });

    it('no device creates or deletes a case', async () => {
      const { v, c } = await escalated();
      const fake = { ...c, id: caseIdForVisit(c.id) };
      for (const u of [vol, resp, sup]) {
        const box = new Outbox();
        expect(codesOf(await push(u, box.body([box.create('case', fake), box.remove('case', c.id)])))).toEqual(
          u === vol ? ['forbidden', 'forbidden'] : ['forbidden', 'immutable'],
        );
      }
      expect(await caseRows(c.id)).toHaveLength(0);
      expect(await storedCase(v.id)).toEqual(c);
    });

    it('a responder writes nothing but cases', async () => {
      const { h, p } = await escalated();
      const box = new Outbox();
      const r = await push(resp, box.body([
        box.create('household', createHouseholdRecord()),
        box.update('household', h, { ...h, notes: 'x' }),
        box.update('person', p, { ...p, fullName: 'Đổi Tên' }),
        box.create('visit', createVisitRecord(undefined as unknown as string, { householdId: undefined, channel: 'literacy_point', literacyPointId: 'Điểm 2' })),
      ]));
      expect(codesOf(r)).toEqual(['forbidden', 'forbidden', 'forbidden', 'forbidden']);
    });

    it('a responder pulls the cases and what they point at, even records older than their cursor, and nothing else', async () => {
      const { cursor } = await pullAll(resp);
      // Older than the responder's cursor: a household with two people, and an unrelated one.
      const box = new Outbox();
      const h = createHouseholdRecord({ group: 'TDP 2' });
      const p1 = createPersonRecord(h.id);
      const p2 = createPersonRecord(h.id, { fullName: 'Hoàng Văn Bảy' });
      const prior = createVisitRecord(h.id);
      const unrelated = createHouseholdRecord({ group: 'TDP 2' });
      const stranger = createPersonRecord(unrelated.id);
      await push(other, box.body([box.create('household', h), box.create('person', p1), box.create('person', p2), box.create('visit', prior), box.create('household', unrelated), box.create('person', stranger)]));
      const mid = (await pullAll(resp, cursor)).cursor;
      const v = createVisitRecord(h.id, { escalate: { reason: 'identity_verification', detail: 'Ảnh không khớp' } });
      expect(codesOf(await push(other, box.body([box.create('visit', v)])))).toEqual(['applied']);
      const ids = (await pullAll(resp, mid)).changes.map((ch) => ch.id).sort();
      expect(ids).toEqual([h.id, p1.id, p2.id, v.id, caseIdForVisit(v.id)].sort());
      // From scratch: every case of the ward and only what they point at.
      const all = (await pullAll(resp)).changes;
      expect(all.some((ch) => [unrelated.id, stranger.id, prior.id].includes(ch.id))).toBe(false);
      const cases = all.filter((ch) => ch.entity === 'case');
      const linked = new Set(cases.flatMap((ch) => [ch.record!.visitId, ch.record!.householdId]));
      for (const ch of all) {
        if (ch.entity === 'case') continue;
        const ref = ch.entity === 'person' ? ch.record!.householdId : ch.id;
        expect(linked.has(ref), `${ch.entity} ${ch.id}`).toBe(true);
      }
      // Reports, exports and the erasure log stay closed to them.
      for (const url of ['/api/v1/reports/summary', '/api/v1/exports/visits.csv', '/api/v1/privacy/erasures']) {
        expect((await s.request('GET', url, { cookie: cookies[resp.id]! })).status, url).toBe(403);
      }
    });

    it('a household that moves takes its case along; the old group’s volunteer is told to drop it', async () => {
      const { h, c } = await escalated();
      const { cursor } = await pullAll(vol);
      const box = new Outbox();
      expect(codesOf(await push(sup, box.body([box.update('household', h, { ...h, group: 'TDP 2' })])))).toEqual(['applied']);
      const moved = await storedCase(c.visitId);
      expect(moved.group).toBe('TDP 2');
      expect((await caseRows(c.visitId))[0]!.group_code).toBe('TDP 2');
      expect((await pullAll(vol, cursor)).changes).toContainEqual(expect.objectContaining({ entity: 'case', id: c.id, record: null, removed: 'out_of_scope' }));
      expect((await pullAll(other)).changes.find((ch) => ch.id === c.id)?.record).toEqual(moved);
    });

    it('the ward summary counts the cases still waiting per reason, with their median age in days', async () => {
      const hsup = await s.createUser({ role: 'supervisor', wardCode: 'HANGBAC' });
      const hvol = await s.createUser({ role: 'volunteer', wardCode: 'HANGBAC', groups: ['TDP 3'] });
      const hresp = await s.createUser({ role: 'responder', wardCode: 'HANGBAC' });
      for (const u of [hsup, hvol, hresp]) cookies[u.id] = (await s.login(u.username, u.password)).cookie;
      const empty = await s.request('GET', '/api/v1/reports/summary', { cookie: cookies[hsup.id]! });
      expect(empty.body.cases).toEqual({ open: 0, inProgress: 0, medianAgeDays: null, byReason: [] });

      const box = new Outbox();
      const h = createHouseholdRecord({ wardCode: 'HANGBAC', group: 'TDP 3', consent: { given: true, at: new Date().toISOString(), by: hvol.id } });
      const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000 - 3_600_000).toISOString();
      const escalate = (reason: 'account_problem' | 'technical', age: number) => {
        const m = box.create('visit', createVisitRecord(h.id, { wardCode: 'HANGBAC', volunteerId: hvol.id, escalate: { reason, detail: 'Chi tiết' } }));
        return { ...m, at: daysAgo(age) };
      };
      const household = box.create('household', h);
      const visits = [escalate('account_problem', 10), escalate('account_problem', 4), escalate('account_problem', 2), escalate('technical', 1), escalate('technical', 30)];
      expect(codesOf(await push(hvol, box.body([household, ...visits])))).toEqual(Array(6).fill('applied'));
      const rbox = new Outbox();
      const caseOf = async (i: number) => storedCase(visits[i]!.id);
      const inProgress = await caseOf(2);
      const resolved = await caseOf(4);
      expect(codesOf(await push(hresp, rbox.body([
        rbox.update('case', inProgress, { ...inProgress, status: 'in_progress', assigneeId: hresp.id }),
        rbox.update('case', resolved, { ...resolved, status: 'resolved', resolution: 'Đã cài lại' }),
      ])))).toEqual(['applied', 'applied']);

      const r = await s.request('GET', '/api/v1/reports/summary', { cookie: cookies[hsup.id]! });
      expect(r.status).toBe(200);
      expect(r.body.cases).toEqual({
        open: 3,
        inProgress: 1,
        medianAgeDays: 3, // ages 10, 4, 2, 1
        byReason: [
          // In ESCALATION_REASONS order.
          { reason: 'technical', count: 1, medianAgeDays: 1 },
          { reason: 'account_problem', count: 3, medianAgeDays: 4 },
        ],
      });
      // Ten days later every waiting case is ten days older.
      s.clock.offsetMs = 10 * 86_400_000;
      try {
        const later = await s.request('GET', '/api/v1/reports/summary', { cookie: cookies[hsup.id]! });
        expect(later.body.cases.medianAgeDays).toBe(13);
      } finally {
        s.clock.offsetMs = 0;
      }
    });

    it.each([
      ['consent is withdrawn', 'withdraw'],
      ['the household is deleted', 'delete'],
    ] as const)('when %s, the case loses its detail and keeps its status and resolution', async (_label, how) => {
      const detail = `Chi tiết riêng ${how} ${Math.random()}`;
      const { h, v, c } = await escalated(detail);
      const rbox = new Outbox();
      const resolved = { ...c, status: 'resolved' as const, resolution: 'Đã hướng dẫn lại' };
      expect(codesOf(await push(resp, rbox.body([rbox.update('case', c, resolved)])))).toEqual(['applied']);
      const box = new Outbox();
      const m = how === 'delete'
        ? box.remove('household', h.id)
        : box.update('household', { id: h.id, consent: h.consent } as { id: string }, { id: h.id, consent: { given: false, at: new Date().toISOString(), by: vol.id } });
      expect(codesOf(await push(vol, box.body([m])))).toEqual(['applied']);
      const erased = await storedCase(v.id);
      expect(erased.detail).toBeUndefined();
      expect(erased).toMatchObject({ status: 'resolved', resolution: 'Đã hướng dẫn lại', reason: 'account_problem' });
      expect(caseSchema.safeParse(erased).success).toBe(true);
      const text = JSON.stringify(await s.db.kysely.selectFrom('records').select('data').execute());
      expect(text).not.toContain(detail);
      expect(JSON.stringify((await pullAll(resp)).changes)).not.toContain(detail);
    });
  });
}
