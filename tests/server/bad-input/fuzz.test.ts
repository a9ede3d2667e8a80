// @vitest-environment node
// A w.seeded fuzz loop on SQLite and (when available) PostgreSQL: 300 pushes,
// each a valid push with random parts changed, dropped, added or repeated.
// The server never answers 5xx, every refusal has the documented error shape,
// and nothing it stores fails the shared schemas the device parses it with
// (a deleted record: the minimal tombstone's).
import { gzipSync } from 'node:zlib';
import type { z } from 'zod';
import { expect, it } from 'vitest';
import { rng } from '../../factories/generate';
import { Outbox } from '../../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../../factories/records';
import { describeBadInput, expectApiError, NATIONAL_ID, nested, snapshot } from './helpers';
import { pushResponseSchema, tombstoneSchema, type Mutation } from '../../../src/shared/protocol';
import { caseSchema, entitySchemas, type Case, type Entity } from '../../../src/shared/schemas';
import { caseIdForVisit } from '../../../src/server/cases';
import { uuidv7 } from '../../../src/shared/ids';
import { wardCodeSchema, wardGroupSchema } from '../../../src/shared/wards';
import { recountWard, storedWard } from '../../../src/server/reports/aggregates';

/** Deterministic PRNG (the test-data generator's mulberry32), so a failing fuzz case replays exactly. */
function prng(seed: number) {
  const r = rng(seed);
  return { next: r.next, int: (n: number) => r.int(0, n - 1), pick: r.pick };
}

describeBadInput('fuzz', (w, dialect) => {
  it('300 mutated pushes never answer 5xx and never store a record the shared schemas refuse', async () => {
    const rand = prng(dialect === 'sqlite' ? 0x5eed : 0xfeed);
    const hostile: unknown[] = [
      null,
      0,
      -1,
      1.5,
      1e308,
      -0,
      '',
      ' ',
      'x'.repeat(2000),
      'a\u0000b',
      '\ud800',
      'Nguyễn Thị Lan',
      '<script>alert(1)</script>',
      "'; drop table records; --",
      '2025-13-45',
      '0912 345 678',
      '+84 912 345 678',
      true,
      false,
      [],
      {},
      [null],
      { nationalId: NATIONAL_ID },
      nested(8),
      uuidv7(),
      'not-a-uuid',
      'HOANKIEM',
      'CUANAM',
      'TDP 1',
      'TDP 2',
      new Date().toISOString(),
      1900,
      3000,
    ];
    const extraKeys = ['nationalId', 'password', 'constructor', 'toString', 'hasOwnProperty', 'platforms', 'platforms.bogus', 'id', 'createdAt', 'deleted', 'wardCode'];
    const topKeys = ['seq', 'entity', 'id', 'op', 'fields', 'base', 'at'];

    function mutateValue(target: Record<string, unknown>) {
      // Walk to a random object inside target and change, drop or add a key.
      let node: Record<string, unknown> = target;
      for (let d = 0; d < 4; d++) {
        const kids = Object.entries(node).filter(([, v]) => v !== null && typeof v === 'object');
        if (kids.length === 0 || rand.next() < 0.35) break;
        node = rand.pick(kids)[1] as Record<string, unknown>;
      }
      const keys = Object.keys(node);
      const roll = rand.next();
      if (roll < 0.45 && keys.length > 0) node[rand.pick(keys)] = structuredClone(rand.pick(hostile));
      else if (roll < 0.65 && keys.length > 0) delete node[rand.pick(keys)];
      else if (roll < 0.85) node[rand.pick(extraKeys)] = structuredClone(rand.pick(hostile));
      else if (Array.isArray(node) && node.length > 0) node.push(structuredClone(node[0]));
      else if (keys.length > 0) node[rand.pick(keys)] = JSON.parse('{"__proto__": 1}'); // refused by the parser
    }

    let clientBox = new Outbox();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      if (rand.next() < 0.3) clientBox = new Outbox();
      const start = clientBox.seq;
      const h = createHouseholdRecord();
      const p = createPersonRecord(h.id, { phone: '0912 345 678' });
      const v = createVisitRecord(h.id, { people: [{ personId: p.id, steps: [], independent: [] }] });
      const mutations: Record<string, unknown>[] = [
        clientBox.create('household', h),
        clientBox.create('person', p),
        clientBox.create('visit', v),
        clientBox.update('household', w.seeded, { ...w.seeded, notes: `Lần ${i}` }),
        clientBox.remove('person', p.id),
      ].slice(0, 1 + rand.int(5));
      for (let n = 1 + rand.int(3); n > 0; n--) {
        const m = rand.pick(mutations);
        const roll = rand.next();
        if (roll < 0.6) mutateValue(m);
        else if (roll < 0.75) m[rand.pick(topKeys)] = structuredClone(rand.pick(hostile));
        else if (roll < 0.85) m.seq = rand.pick([start + 1, start + 2, start + 50, 0, -3]);
        else if (roll < 0.95) m.entity = rand.pick(['household', 'person', 'visit', 'user']);
        else mutations.push(structuredClone(m));
      }
      const body = rand.next() < 0.05 ? { protocol: 1, clientId: clientBox.clientId, mutations, extra: 1 } : clientBox.body(mutations as unknown as Mutation[]);
      const cookie = rand.next() < 0.1 ? w.supCookie : w.volCookie;
      const r = await w.s.request('POST', '/api/v1/sync/push', { cookie, body });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const label = `iteration ${i}: ${JSON.stringify(body).slice(0, 400)}`;
      expect(r.status, label).toBeLessThan(500);
      if (r.status === 200) {
        const parsed = pushResponseSchema.parse(r.body);
        expect(parsed.results.length, label).toBe(mutations.length);
        for (const result of parsed.results) expect(['applied', 'duplicate', 'rejected'], label).toContain(result.status);
        // The device moves on from what the server settled.
        clientBox.seq = parsed.lastAppliedSeq;
      } else {
        expectApiError(r, r.status, r.body?.error?.code, label);
        // A refused push applies nothing: the device resends from lastAppliedSeq + 1.
        const row = await w.s.db.kysely.selectFrom('clients').select('last_applied_seq').where('client_id', '=', clientBox.clientId).executeTakeFirst();
        clientBox.seq = Number(row?.last_applied_seq ?? 0);
      }
    }
    // Every kind of answer happened, so the fuzz exercised more than one path.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(30);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(30);

    // Everything stored still passes the shared schemas, as the device will parse it.
    const rows = await w.s.db.kysely.selectFrom('records').selectAll().execute();
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const record = JSON.parse(row.data) as Record<string, unknown>;
      const parsed = (row.deleted ? tombstoneSchema : entitySchemas[row.entity as Entity]).safeParse(record);
      expect(parsed.success, `${row.entity} ${row.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(record.id).toBe(row.id);
      expect(record.wardCode).toBe(row.ward_code);
      expect(Boolean(row.deleted)).toBe(record.deleted);
    }
    // Smuggled keys never reach records or conflict rows. (A rejected mutation
    // keeps known fields' values as sent, whatever their type, so the user can fix them.)
    const stored = await snapshot(w.s);
    expect(JSON.stringify([stored.records, stored.conflicts])).not.toContain(NATIONAL_ID);
    expect(JSON.stringify(stored.records)).not.toContain('\\u0000');
    for (const row of await w.s.db.kysely.selectFrom('conflicts').selectAll().execute()) {
      const schema = (entitySchemas[row.entity as Entity].shape as Record<string, z.ZodType>)[row.field];
      expect(schema, row.field).toBeDefined();
      expect(schema!.safeParse(JSON.parse(row.client_value ?? 'null') ?? undefined).success, row.client_value!).toBe(true);
    }
    // The ward's aggregates still equal a recount from records (reports/aggregates.ts).
    const { db } = w.s;
    const recount = await db.readTx((trx) => recountWard(trx, db.dialect, 'CUANAM'));
    const kept = await db.readTx((trx) => storedWard(trx, 'CUANAM'));
    const plain = (g: Map<string, Map<string, number>>) => Object.fromEntries([...g].filter(([, m]) => m.size > 0).map(([k, m]) => [k, Object.fromEntries([...m].sort())]));
    expect(plain(kept.groups)).toEqual(plain(recount));
    expect(recount.get('TDP 1')?.get('households') ?? 0).toBeGreaterThan(10);
    // And the pull that devices run still works for both roles.
    for (const cookie of [w.supCookie, w.volCookie]) {
      const pull = await w.s.request('GET', '/api/v1/sync/pull?cursor=0&limit=1000', { cookie });
      expect(pull.status).toBe(200);
    }
    // The erasure log the fuzz may have written to answers, and holds nothing smuggled.
    const erasures = await w.s.request('GET', '/api/v1/privacy/erasures?limit=1000', { cookie: w.supCookie });
    expect(erasures.status).toBe(200);
    expect(JSON.stringify(erasures.body)).not.toContain(NATIONAL_ID);
  });

  it('200 mutated requests to wards, groups, accounts and setup never answer 5xx, and what they store passes the shared schemas', async () => {
    const rand = prng(dialect === 'sqlite' ? 0xa11ce : 0xb0b);
    const hostile: unknown[] = [null, 0, -1, 1.5, 1e308, '', ' ', '*', 'x'.repeat(300), 'a\u0000b', '\ud800', 'TDP 1', 'TDP 1-28', 'TDP 1-100000', 'tdp 1', "'; drop table wards; --", '<b>x</b>', true, [], {}, [null], nested(8), 'CUANAM', 'HOANKIEM', 'supervisor', 'city', 'volunteer', 42];
    const targets = [
      { method: 'POST', url: '/api/v1/wards', cookie: () => w.cityCookie, body: () => ({ code: `W${rand.int(1000)}`, name: 'Phường thử' }) },
      { method: 'PUT', url: '/api/v1/wards/CUANAM/groups', cookie: () => (rand.next() < 0.5 ? w.supCookie : w.cityCookie), body: () => [{ code: 'TDP 1', name: 'Tổ 1', targetHouseholds: 400 }, { code: 'TDP 2', name: 'Tổ 2' }, { code: `TDP ${3 + rand.int(5)}`, name: 'Mới' }] },
      { method: 'POST', url: '/api/v1/users', cookie: () => w.supCookie, body: () => ({ username: `fz${rand.int(1e6)}`, password: 'mat-khau-that-la-dai', displayName: 'Lan', role: 'volunteer', groups: ['TDP 1'] }) },
      { method: 'POST', url: '/api/v1/users', cookie: () => w.cityCookie, body: () => ({ username: `fc${rand.int(1e6)}`, password: 'mat-khau-that-la-dai', displayName: 'Hoa', role: 'supervisor', wardCode: 'HOANKIEM' }) },
      { method: 'POST', url: '/api/v1/setup', cookie: () => undefined, body: () => ({ token: 'x'.repeat(43), username: 'admin', password: 'mat-khau-that-la-dai', displayName: 'A', ward: { code: 'NEW', name: 'Mới' }, groups: 'TDP 1-28' }) },
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const t = rand.pick(targets);
      const body = t.body() as unknown as Record<string, unknown>;
      for (let n = 1 + rand.int(2); n > 0; n--) {
        // Change, drop or add a key, one level down at most.
        const node = (Array.isArray(body) && body.length > 0 ? rand.pick(body) : body) as Record<string, unknown>;
        const keys = Object.keys(node);
        const roll = rand.next();
        if (roll < 0.5 && keys.length > 0) node[rand.pick(keys)] = structuredClone(rand.pick(hostile));
        else if (roll < 0.7 && keys.length > 0) delete node[rand.pick(keys)];
        else node[rand.pick(['extra', 'wardCode', 'role', 'targetHouseholds', 'code'])] = structuredClone(rand.pick(hostile));
      }
      const cookie = t.cookie();
      const r = await w.s.request(t.method, t.url, { ...(cookie ? { cookie } : {}), body });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const label = `iteration ${i}: ${t.method} ${t.url} ${JSON.stringify(body).slice(0, 300)}`;
      expect(r.status, label).toBeLessThan(500);
      if (r.status >= 400) expectApiError(r, r.status, r.body?.error?.code, label);
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(30);
    expect([...statuses.keys()].some((st) => st < 300)).toBe(true);
    // Every ward made through the API has a valid code; every group passes the shared schema; groups in use are all still there.
    for (const ward of await w.s.db.kysely.selectFrom('wards').selectAll().execute()) expect(wardCodeSchema.safeParse(ward.code).success, ward.code).toBe(true);
    const groups = await w.s.db.kysely.selectFrom('ward_groups').selectAll().execute();
    for (const g of groups) {
      const parsed = wardGroupSchema.safeParse({ code: g.code, name: g.name, targetHouseholds: g.target_households === null ? null : Number(g.target_households) });
      expect(parsed.success, JSON.stringify(g)).toBe(true);
    }
    const cuanam = groups.filter((g) => g.ward_code === 'CUANAM').map((g) => g.code);
    expect(cuanam).toEqual(expect.arrayContaining(['TDP 1', 'TDP 2']));
    expect(await w.s.db.kysely.selectFrom('users').select('id').where('role', '=', 'city').execute()).toHaveLength(1);
  });

  it('150 mutated case edits from every role never answer 5xx, never change what the server owns, and leave a valid case', async () => {
    const rand = prng(dialect === 'sqlite' ? 0xca5e : 0xc0de);
    const responder = await w.s.createUser({ role: 'responder' });
    const respCookie = (await w.s.login(responder.username, responder.password)).cookie;
    const seedBox = new Outbox();
    const v = createVisitRecord(w.seeded.id, { volunteerId: w.vol.id, escalate: { reason: 'account_problem', detail: 'Khoá tài khoản' } });
    const seeded = await w.s.request('POST', '/api/v1/sync/push', { cookie: w.volCookie, body: seedBox.body([seedBox.create('visit', v)]) });
    expect(seeded.status).toBe(200);
    const caseId = caseIdForVisit(v.id);
    const load = async () =>
      JSON.parse((await w.s.db.kysely.selectFrom('records').select('data').where('entity', '=', 'case').where('id', '=', caseId).executeTakeFirstOrThrow()).data) as Case;
    const original = await load();
    const hostile: unknown[] = [null, 0, '', 'x'.repeat(2000), 'a\u0000b', true, [], {}, { nationalId: NATIONAL_ID }, nested(6), 'resolved', 'in_progress', 'open', 'closed', responder.id, w.vol.id, new Date().toISOString(), uuidv7()];
    const keys = ['status', 'assigneeId', 'resolution', 'resolvedAt', 'reason', 'detail', 'visitId', 'householdId', 'group', 'wardCode', 'deleted', 'nationalId'];
    const boxes = new Map<string, Outbox>();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      const [cookie, who] = rand.pick([[respCookie, 'responder'], [w.supCookie, 'supervisor'], [w.volCookie, 'volunteer']] as const);
      const box = boxes.get(who) ?? new Outbox();
      boxes.set(who, box);
      const before = await load();
      const fields: Record<string, unknown> = {};
      const base: Record<string, unknown> = {};
      for (let n = 1 + rand.int(3); n > 0; n--) {
        const key = rand.pick(keys);
        fields[key] = structuredClone(rand.pick(hostile));
        if (rand.next() < 0.7) base[key] = (before as Record<string, unknown>)[key] ?? null;
      }
      const op = rand.next() < 0.1 ? 'delete' : 'upsert';
      const m = box.raw({ entity: 'case', id: rand.next() < 0.1 ? uuidv7() : caseId, op, fields, base });
      const r = await w.s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([m]) });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const label = `iteration ${i} (${who}): ${JSON.stringify(m).slice(0, 300)}`;
      expect(r.status, label).toBeLessThan(500);
      if (r.status === 200) box.seq = pushResponseSchema.parse(r.body).lastAppliedSeq;
      else {
        expectApiError(r, r.status, r.body?.error?.code, label);
        const row = await w.s.db.kysely.selectFrom('clients').select('last_applied_seq').where('client_id', '=', box.clientId).executeTakeFirst();
        box.seq = Number(row?.last_applied_seq ?? 0);
      }
      const after = await load();
      expect(caseSchema.safeParse(after).success, label).toBe(true);
      for (const key of ['id', 'visitId', 'householdId', 'group', 'reason', 'detail', 'wardCode', 'createdAt', 'deleted'] as const) expect(after[key], `${key}: ${label}`).toEqual(original[key]);
      if (who === 'volunteer') expect(after, label).toEqual(before);
    }
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    // Only the one case exists: no device made another.
    expect(await w.s.db.kysely.selectFrom('records').select('id').where('entity', '=', 'case').execute()).toEqual([{ id: caseId }]);
    // As above: a smuggled value never reaches records or conflict rows.
    const stored = await snapshot(w.s);
    expect(JSON.stringify([stored.records, stored.conflicts])).not.toContain(NATIONAL_ID);
  });
});

describeBadInput('fuzz: console report queries', (w, dialect) => {
  it('400 random report queries never answer 5xx, and every refusal is a documented 400', async () => {
    const rand = prng(dialect === 'sqlite' ? 0xc0de : 0xbeef);
    const keys = ['group', 'from', 'to', 'volunteer', 'channel', 'ward', 'lane', 'limit', 'GROUP', ''];
    const values = ['TDP 1', 'TDP%201', '2026-08-01', '2026-02-30', '2026-08-01T00:00:00Z', 'door', 'literacy_point', 'CUANAM', '*', '', '%00', "'", 'x'.repeat(70), '%E1%BB%AC', '-1', '1e9', '[]', '{"a":1}'];
    for (let i = 0; i < 400; i++) {
      const parts = Array.from({ length: rand.int(4) }, () => `${rand.pick(keys)}=${rand.pick(values)}`);
      const url = `${rand.pick(['/api/v1/reports/activity', '/api/v1/reports/doors'])}?${parts.join('&')}`;
      const res = await w.s.request('GET', url, { cookie: w.supCookie });
      if (res.status === 200) continue;
      expectApiError(res, res.status, res.body?.error?.code, url);
      expect([400, 403], url).toContain(res.status);
    }
  });
});

describeBadInput('fuzz: gzipped pushes', (w, dialect) => {
  it('200 gzipped pushes with bytes flipped, cut, appended or doubled never answer 5xx; a refused one changes nothing, an accepted one is applied once', async () => {
    const rand = prng(dialect === 'sqlite' ? 0x921f : 0x9a1e);
    const box = new Outbox();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const h = createHouseholdRecord({ notes: `Lần ${i}: Bà cụ nghe kém` });
      const body = box.body([box.create('household', h), box.create('visit', createVisitRecord(h.id))]);
      let bytes = gzipSync(Buffer.from(JSON.stringify(body)));
      const roll = rand.next();
      let how = 'intact';
      if (roll < 0.3) {
        bytes = Buffer.from(bytes);
        for (let n = 1 + rand.int(3); n > 0; n--) bytes[rand.int(bytes.length)] = rand.int(256);
        how = 'flipped';
      } else if (roll < 0.5) {
        bytes = bytes.subarray(0, rand.int(bytes.length));
        how = 'cut';
      } else if (roll < 0.6) {
        bytes = Buffer.concat([bytes, Buffer.from(rand.pick(['x', '\u0000\u0000', '{"a":1}', 'garbage after the trailer']))]);
        how = 'appended';
      } else if (roll < 0.7) {
        bytes = Buffer.concat([bytes, gzipSync(Buffer.from(rand.pick(['{"a":1}', ' ', '\n'])))]);
        how = 'two members';
      }
      const before = await snapshot(w.s);
      const r = await w.s.request('POST', '/api/v1/sync/push', { cookie: w.volCookie, rawBody: bytes, headers: { 'content-encoding': rand.pick(['gzip', 'GZIP', 'x-gzip']) } });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const label = `iteration ${i} (${how}, ${bytes.length} bytes)`;
      expect(r.status, label).toBeLessThan(500);
      if (r.status === 200) {
        const parsed = pushResponseSchema.parse(r.body);
        expect(parsed.results.map((x) => x.status), label).toEqual(['applied', 'applied']);
      } else {
        expectApiError(r, r.status, r.body?.error?.code, label);
        expect(['invalid_encoding', 'invalid_json', 'invalid_request'], label).toContain(r.body.error.code);
        expect(await snapshot(w.s), `${label}: database changed`).toEqual(before);
        box.seq -= 2; // the device resends the same numbers
      }
    }
    expect(statuses.get(200) ?? 0).toBeGreaterThan(60);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(30);
  });
});
