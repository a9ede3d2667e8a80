// @vitest-environment node
// Adversarial input on every endpoint, on SQLite and (when available) PostgreSQL.
//
// The standard under test: bad input gets a clear error and changes nothing.
// Every case asserts a 4xx with the documented { error: { code, message } }
// shape and the stable code, no 500, nothing internal in the message, and an
// unchanged database (every table, row by row). Then a seeded fuzz loop mutates
// a valid push and checks the server never answers 5xx and never stores a
// record the shared schemas would refuse.
import { rng } from '../factories/generate';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, badInputHarness, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox, household, person, visit } from './fixtures';
import { PROTOCOL_VERSION, pushResponseSchema, type Mutation } from '../../src/shared/protocol';
import { entitySchemas, type Entity } from '../../src/shared/schemas';
import { uuidv7 } from '../../src/shared/ids';

warnIfNoPostgres();

const DAY = 24 * 60 * 60 * 1000;
// Values a strict schema must keep out of the database, wherever they are smuggled.
const NATIONAL_ID = '001203004567';
const SMUGGLED_PASSWORD = 'hunter2-smuggled';
// Sent as the (wrongly typed) value of a known field: kept out of records and
// conflict rows; a rejected mutation keeps known fields as sent, for the user to fix.
const WRONG_TYPE_ID = '079199001234';

/** Deterministic PRNG (the test-data generator's mulberry32), so a failing fuzz case replays exactly. */
function prng(seed: number) {
  const r = rng(seed);
  return { next: r.next, int: (n: number) => r.int(0, n - 1), pick: r.pick };
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`bad input on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let target: TestUser; // a volunteer the supervisor may manage
    let otherWard: TestUser;
    let disabled: TestUser;
    let supCookie: string;
    let volCookie: string;
    let disabledCookie: string;
    let revokedCookie: string;
    let seedBox: Outbox;
    let seeded: ReturnType<typeof household>;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      target = await s.createUser({ role: 'volunteer', groups: ['TDP 2'] });
      otherWard = await s.createUser({ role: 'volunteer', wardCode: 'HOANKIEM', groups: ['TDP 1'] });
      disabled = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      disabledCookie = (await s.login(disabled.username, disabled.password)).cookie;
      revokedCookie = (await s.login(target.username, target.password)).cookie;
      // The disabled user's session row stays valid: only the account flag changes.
      await s.db.kysely.updateTable('users').set({ disabled: 1 }).where('id', '=', disabled.id).execute();
      await s.db.kysely.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', target.id).execute();
      // Some existing state: a household and a person, and a client with lastAppliedSeq 2.
      seedBox = new Outbox();
      seeded = household({ notes: 'Gọi trước khi đến' });
      const r = await s.request('POST', '/api/v1/sync/push', {
        cookie: volCookie,
        body: seedBox.body([seedBox.create('household', seeded), seedBox.create('person', person(seeded.id))]),
      });
      expect(r.status).toBe(200);
      expect(r.body.lastAppliedSeq).toBe(2);
    });
    afterAll(async () => {
      await s?.close();
    });

    const { snapshot, expectApiError, refused, req } = badInputHarness(() => s);

    // ------------------------------------------------------------ transport

    it('malformed JSON, empty bodies and wrong content types are 400 invalid_json on every JSON endpoint', async () => {
      const endpoints: [string, string, string | undefined][] = [
        ['POST', '/api/v1/session', undefined],
        ['POST', '/api/v1/sync/push', volCookie],
        ['POST', '/api/v1/users', supCookie],
        ['PATCH', `/api/v1/users/${target.id}`, supCookie],
      ];
      const malformed = ['{', '{"username": ', '[1,]', "{'a':1}", 'undefined', 'NaN', '{"a":1}{"b":2}', '{"a":01}', '\u0000', '{"a":"\\x41"}'];
      const contentTypes = [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/xml',
        'application/json-patch+json',
        'text/json',
      ];
      for (const [method, url, cookie] of endpoints) {
        for (const raw of malformed) {
          await refused(`${method} ${url} ${JSON.stringify(raw)}`, req(method, url, { cookie, rawBody: raw }), 400, 'invalid_json');
        }
        await refused(`${method} ${url} empty`, req(method, url, { cookie, rawBody: '' }), 400, 'invalid_json');
        for (const ct of contentTypes) {
          await refused(
            `${method} ${url} ${ct}`,
            req(method, url, { cookie, rawBody: '{"username":"a","password":"b"}', headers: { 'content-type': ct } }),
            400,
            'invalid_json',
          );
        }
        // Prototype pollution keys, top level and nested.
        for (const raw of ['{"__proto__":{"isAdmin":true}}', '{"a":{"b":[{"__proto__":{"isAdmin":true}}]}}', '{"constructor":{"prototype":{"isAdmin":true}}}']) {
          await refused(`${method} ${url} ${raw}`, req(method, url, { cookie, rawBody: raw }), 400, 'invalid_json');
        }
      }
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('non-object JSON, deep nesting and huge strings are 400 invalid_request', async () => {
      const endpoints: [string, string, string | undefined][] = [
        ['POST', '/api/v1/session', undefined],
        ['POST', '/api/v1/sync/push', volCookie],
        ['POST', '/api/v1/users', supCookie],
        ['PATCH', `/api/v1/users/${target.id}`, supCookie],
      ];
      const bodies: unknown[] = [
        null,
        [],
        [{}],
        'a string',
        42,
        -0.5,
        true,
        { constructor: 1 },
        { toString: 'x', valueOf: 1 },
        nested(33),
        { a: nested(100) },
      ];
      for (const [method, url, cookie] of endpoints) {
        for (const body of bodies) {
          const label = `${method} ${url} ${Array.isArray(body) ? `array(${body.length})` : typeof body === 'object' && body ? Object.keys(body).join(',') : String(body)}`;
          await refused(label, req(method, url, { cookie, body }), 400, 'invalid_request');
        }
      }
      // 100,000 nested arrays fit in 1 MiB; walking them recursively used to be a 500.
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      for (const [method, url, cookie] of endpoints) {
        await refused(`${method} ${url} 100k-deep`, req(method, url, { cookie, rawBody: deep }), 400, 'invalid_request');
      }
      const huge = 'x'.repeat(900_000);
      await refused('login huge username', req('POST', '/api/v1/session', { body: { username: huge, password: 'whatever1' } }), 400, 'invalid_request');
      await refused('login huge password', req('POST', '/api/v1/session', { body: { username: sup.username, password: huge } }), 400, 'invalid_request');
      await refused(
        'users huge displayName',
        req('POST', '/api/v1/users', { cookie: supCookie, body: { username: 'huge', password: 'password1', displayName: huge, role: 'volunteer', groups: [] } }),
        400,
        'invalid_request',
      );
      await refused('push huge clientId', req('POST', '/api/v1/sync/push', { cookie: volCookie, body: { protocol: 1, clientId: huge, mutations: [] } }), 400, 'invalid_request');
      // Over the 1 MiB limit, before anything else.
      await refused('push over 1 MiB', req('POST', '/api/v1/sync/push', { cookie: volCookie, rawBody: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }), 413, 'payload_too_large');
    });

    it('broken URLs and over-long path parameters answer the error shape, not Fastify\'s', async () => {
      for (const url of ['/api/v1/users/%zz', '/api/v1/users/%E0%A4%A/revoke', '/api/v1/%', '/api/v1/sync/pu%l']) {
        const res = await refused(`GET ${url}`, req('GET', url, { cookie: supCookie }), 400, 'invalid_request');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      await refused('PATCH 101-char id', req('PATCH', `/api/v1/users/${'a'.repeat(101)}`, { cookie: supCookie, body: { disabled: true } }), 400, 'invalid_request');
      await refused('PATCH 65-char id', req('PATCH', `/api/v1/users/${'a'.repeat(65)}`, { cookie: supCookie, body: { disabled: true } }), 400, 'invalid_request');
      await refused('PUT /session', req('PUT', '/api/v1/session', { body: {} }), 404, 'not_found');
      await refused('POST /health', req('POST', '/api/v1/health', { body: {} }), 404, 'not_found');
      await refused('DELETE /users', req('DELETE', '/api/v1/users', { cookie: supCookie }), 404, 'not_found');
    });

    // ------------------------------------------------------------ health and sessions

    it('health ignores junk query strings, cookies and headers', async () => {
      const before = await snapshot();
      for (const url of ['/api/v1/health?x=1&x=2', '/api/v1/health?__proto__[a]=1', '/api/v1/health?%zz']) {
        const r = await s.request('GET', url, { cookie: 'gocua_session=%00%zz; x=%C3%A9', headers: { 'x-forwarded-for': 'garbage' } });
        expect(r.status, url).toBe(200);
        expect(r.body).toEqual({ status: 'ok', db: dialect, version: expect.any(String) });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('sign-in refuses bad credentials shapes, extra fields and NUL bytes without touching the database', async () => {
      const bad: unknown[] = [
        {},
        { username: sup.username },
        { password: sup.password },
        { username: 1, password: 2 },
        { username: [sup.username], password: sup.password },
        { username: { $ne: null }, password: { $ne: null } },
        { username: '', password: '' },
        { username: sup.username, password: sup.password, role: 'supervisor' },
        { username: 'a\u0000b', password: 'password1' },
        { username: sup.username, password: 'pass\u0000word' },
      ];
      for (const body of bad) {
        await refused(`login ${JSON.stringify(body)}`, req('POST', '/api/v1/session', { body }), 400, 'invalid_request');
      }
      // A disabled account cannot sign in (the failure is recorded, as documented; no session).
      const sessions = await s.db.kysely.selectFrom('sessions').select('token_sha256').execute();
      const r = await s.request('POST', '/api/v1/session', { body: { username: disabled.username, password: disabled.password } });
      expectApiError(r, 401, 'invalid_credentials', 'disabled login');
      expect(r.headers.get('set-cookie')).toBeNull();
      expect(await s.db.kysely.selectFrom('sessions').select('token_sha256').execute()).toHaveLength(sessions.length);
    });

    it('missing, forged, garbage, revoked, expired and disabled-user cookies are 401 on every authenticated endpoint', async () => {
      const forged = randomBytes(32).toString('base64url');
      const cookies: [string, string | undefined][] = [
        ['none', undefined],
        ['empty', 'gocua_session='],
        ['forged', `gocua_session=${forged}`],
        ['too long', `gocua_session=${'A'.repeat(5000)}`],
        ['garbage', 'gocua_session=%zz%00%ff;;=;gocua_session'],
        ['other name', `session=${supCookie.split('=')[1]}`],
        ['case', `GOCUA_SESSION=${supCookie.split('=')[1]}`],
        ['revoked', revokedCookie],
        ['disabled user', disabledCookie],
      ];
      const endpoints: [string, string, unknown][] = [
        ['GET', '/api/v1/session', undefined],
        ['POST', '/api/v1/sync/push', { protocol: 1, clientId: 'abcdefgh-cookie', mutations: [] }],
        ['GET', '/api/v1/sync/pull', undefined],
        ['POST', '/api/v1/users', { username: 'nobody', password: 'password1', displayName: 'X', role: 'volunteer', groups: [] }],
        ['GET', '/api/v1/users', undefined],
        ['PATCH', `/api/v1/users/${target.id}`, { disabled: true }],
        ['POST', `/api/v1/users/${target.id}/revoke`, undefined],
        ['GET', '/api/v1/attention', undefined],
      ];
      for (const [name, cookie] of cookies) {
        for (const [method, url, body] of endpoints) {
          await refused(`${name} cookie ${method} ${url}`, req(method, url, { cookie, body }), 401, 'unauthenticated');
        }
      }
      // Expired: 31 days without use. The session row is not revived.
      s.clock.offsetMs = 31 * DAY;
      try {
        for (const [method, url, body] of endpoints) {
          await refused(`expired cookie ${method} ${url}`, req(method, url, { cookie: volCookie, body }), 401, 'unauthenticated');
        }
      } finally {
        s.clock.offsetMs = 0;
      }
      // Signing out with junk changes nothing and always succeeds.
      for (const [name, cookie] of cookies) {
        const before = await snapshot();
        const r = await s.request('DELETE', '/api/v1/session', { cookie: name === 'revoked' || name === 'disabled user' ? undefined : cookie });
        expect(r.status, name).toBe(204);
        expect(await snapshot(), name).toEqual(before);
      }
    });

    // ------------------------------------------------------------ push

    const validMutation = (box: Outbox): Mutation => box.create('household', household());
    const pushReq = (body: unknown, cookie = volCookie) => req('POST', '/api/v1/sync/push', { cookie, body });

    it('push refuses malformed envelopes and mutations as a whole, and applies nothing', async () => {
      const box = new Outbox();
      const m = validMutation(box);
      const env = { protocol: PROTOCOL_VERSION, clientId: box.clientId };
      await refused('no protocol', pushReq({ clientId: box.clientId, mutations: [m] }), 400, 'invalid_request');
      for (const protocol of [2, 0, -1, '1', null, 1.5, [1], {}]) {
        await refused(`protocol ${JSON.stringify(protocol)}`, pushReq({ ...env, protocol, mutations: [m] }), 400, 'unsupported_protocol');
      }
      for (const clientId of [undefined, '', 'short', 12345678, null, ['abcdefghij'], 'x'.repeat(101), 'abcdefgh\u0000ij']) {
        await refused(`clientId ${JSON.stringify(clientId)}`, pushReq({ ...env, clientId, mutations: [m] }), 400, 'invalid_request');
      }
      for (const mutations of [undefined, null, {}, 'x', 1, [null], [1], [[]], ['x']]) {
        await refused(`mutations ${JSON.stringify(mutations)}`, pushReq({ ...env, mutations }), 400, 'invalid_request');
      }
      await refused('extra envelope key', pushReq({ ...env, mutations: [m], admin: true }), 400, 'invalid_request');
      await refused('501 mutations', pushReq({ ...env, mutations: Array.from({ length: 501 }, () => validMutation(new Outbox(box.clientId))) }), 413, 'payload_too_large');

      const variants: [string, unknown][] = [
        ['seq 0', { ...m, seq: 0 }],
        ['seq -1', { ...m, seq: -1 }],
        ['seq 1.5', { ...m, seq: 1.5 }],
        ['seq "1"', { ...m, seq: '1' }],
        ['seq null', { ...m, seq: null }],
        ['seq 2^53+1', { ...m, seq: 2 ** 53 + 2 }],
        ['seq 1e300', { ...m, seq: 1e300 }],
        ['no seq', { ...m, seq: undefined }],
        ['id not uuid', { ...m, id: 'not-a-uuid' }],
        ['id sql', { ...m, id: "1'; drop table records; --" }],
        ['id number', { ...m, id: 7 }],
        ['id uuid + junk', { ...m, id: `${m.id}x` }],
        ['entity user', { ...m, entity: 'user' }],
        ['entity households', { ...m, entity: 'households' }],
        ['entity __proto__', { ...m, entity: '__proto__' }],
        ['entity Household', { ...m, entity: 'Household' }],
        ['op insert', { ...m, op: 'insert' }],
        ['op DELETE', { ...m, op: 'DELETE' }],
        ['op null', { ...m, op: null }],
        ['at garbage', { ...m, at: 'yesterday' }],
        ['at no offset', { ...m, at: '2025-03-01T09:30:00' }],
        ['at month 13', { ...m, at: '2025-13-01T09:30:00Z' }],
        ['at number', { ...m, at: 1740800000000 }],
        ['fields null', { ...m, fields: null }],
        ['fields array', { ...m, fields: [] }],
        ['fields string', { ...m, fields: 'deleted=false' }],
        ['base null', { ...m, base: null }],
        ['base array', { ...m, base: [1] }],
        ['extra mutation key', { ...m, userId: sup.id }],
        ['deep field', { ...m, fields: { ...m.fields, notes: nested(40) } }],
      ];
      for (const [label, mutation] of variants) {
        await refused(label, pushReq({ ...env, mutations: [mutation] }), 400, 'invalid_request');
        // One bad mutation among good ones still refuses the whole push.
        const second = label.includes('seq') ? mutation : { ...(mutation as object), seq: 2 };
        await refused(`${label} among good`, pushReq({ ...env, mutations: [m, second] }), 400, 'invalid_request');
      }
      // 1e309 is Infinity once parsed; NaN is not JSON at all.
      const raw = JSON.stringify({ ...env, mutations: [m] });
      await refused('seq 1e309', req('POST', '/api/v1/sync/push', { cookie: volCookie, rawBody: raw.replace('"seq":1', '"seq":1e309') }), 400, 'invalid_request');
      await refused('seq NaN', req('POST', '/api/v1/sync/push', { cookie: volCookie, rawBody: raw.replace('"seq":1', '"seq":NaN') }), 400, 'invalid_json');
      await refused('seq -0', req('POST', '/api/v1/sync/push', { cookie: volCookie, rawBody: raw.replace('"seq":1', '"seq":-0') }), 400, 'invalid_request');
      await refused('duplicate seqs', pushReq({ ...env, mutations: [m, { ...validMutation(new Outbox()), seq: 1 }] }), 400, 'invalid_request');
      await refused('__proto__ in fields', req('POST', '/api/v1/sync/push', { cookie: volCookie, rawBody: raw.replace('"fields":{', '"fields":{"__proto__":{"polluted":1},') }), 400, 'invalid_json');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('push: seq gaps are 409 seq_gap, a foreign clientId is 403, and neither applies anything', async () => {
      const last = seedBox.seq; // 2
      for (const seq of [last + 2, last + 100, 2 ** 40]) {
        const r = await refused(`gap seq ${seq}`, pushReq(seedBox.body([{ ...validMutation(new Outbox()), seq }])), 409, 'seq_gap');
        expect(r.body.error.lastAppliedSeq).toBe(last);
      }
      // Contiguous start but a hole later.
      const gap = await refused(
        'hole after first',
        pushReq(seedBox.body([{ ...validMutation(new Outbox()), seq: last + 1 }, { ...validMutation(new Outbox()), seq: last + 3 }])),
        409,
        'seq_gap',
      );
      expect(gap.body.error.lastAppliedSeq).toBe(last);
      // The seed clientId belongs to vol; the supervisor may not use it.
      await refused('foreign clientId', pushReq(seedBox.body([{ ...validMutation(new Outbox()), seq: last + 1 }]), supCookie), 403, 'forbidden');
      // Replays of settled seqs are duplicates and change nothing.
      const before = await snapshot();
      const dup = await s.request('POST', '/api/v1/sync/push', {
        cookie: volCookie,
        body: seedBox.body([{ ...validMutation(new Outbox()), seq: 1 }, { ...validMutation(new Outbox()), seq: 2 }]),
      });
      expect(dup.status).toBe(200);
      expect(dup.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect((await snapshot()).records).toEqual(before.records);
    });

    it('strict schemas keep smuggled fields (nationalId, password) out of the database entirely', async () => {
      const box = new Outbox();
      const h = household();
      const p = person(seeded.id);
      const smuggle = (m: Mutation, extra: Record<string, unknown>): Mutation => ({ ...m, fields: { ...m.fields, ...extra } });
      const cases: [string, Mutation, string][] = [
        ['household.nationalId', smuggle(box.create('household', h), { nationalId: NATIONAL_ID }), 'nationalId'],
        ['household.password', smuggle(box.create('household', household()), { password: SMUGGLED_PASSWORD }), 'password'],
        [
          'household.address.nationalId',
          smuggle(box.create('household', household()), { address: { houseNumber: '1', street: 'Hàng Bông', nationalId: NATIONAL_ID } }),
          'address.nationalId',
        ],
        [
          'person platforms nested',
          smuggle(box.create('person', p), { 'platforms.vneid': { ...p.platforms.vneid, password: SMUGGLED_PASSWORD } }),
          'platforms.vneid.password',
        ],
        ['person.cccd', smuggle(box.create('person', person(seeded.id)), { cccd: NATIONAL_ID }), 'cccd'],
        ['visit people nested', smuggle(box.create('visit', visit(seeded.id)), { people: [{ steps: [], walkInName: 'Bà Tư', nationalId: NATIONAL_ID }] }), 'people.0.nationalId'],
        // An update whose client value conflicts is never validated by the merge:
        // it must still not reach the conflict rows.
        [
          'conflicting update nested',
          {
            ...box.update('household', seeded, { ...seeded, address: { ...seeded.address, nationalId: NATIONAL_ID } as never }),
            base: { address: { houseNumber: 'stale', street: 'stale' } },
          },
          'address.nationalId',
        ],
        [
          'conflicting update, wrong type',
          { ...box.update('household', seeded, { ...seeded, notes: 'x' }), fields: { notes: { nationalId: WRONG_TYPE_ID } }, base: { notes: 'stale' } },
          'notes',
        ],
        [
          'conflicting update, smuggling base',
          { ...box.update('household', seeded, { ...seeded, notes: 'x' }), base: { notes: { nationalId: WRONG_TYPE_ID } } },
          'notes',
        ],
        [
          'update base smuggles',
          { ...box.update('household', seeded, { ...seeded, notes: 'Chỉ ở nhà buổi tối' }), base: { notes: 'x', nationalId: NATIONAL_ID } },
          'base.nationalId',
        ],
        [
          'update base nested',
          { ...box.update('household', seeded, { ...seeded, notes: 'Chỉ ở nhà buổi tối' }), base: { address: { houseNumber: '1', street: 'x', password: SMUGGLED_PASSWORD } } },
          'base.address.password',
        ],
      ];
      const before = await snapshot();
      const r = await s.request('POST', '/api/v1/sync/push', { cookie: volCookie, body: box.body(cases.map(([, m]) => m)) });
      expect(r.status).toBe(200);
      expect(pushResponseSchema.parse(r.body).lastAppliedSeq).toBe(cases.length);
      cases.forEach(([label, , path], i) => {
        expect(r.body.results[i], label).toMatchObject({ status: 'rejected', error: { code: 'invalid_record', path } });
      });
      const after = await snapshot();
      expect(after.records, 'no record written').toEqual(before.records);
      expect(after.conflicts, 'no conflict stored').toEqual(before.conflicts);
      expect(after.rejected_mutations.length - before.rejected_mutations.length).toBe(cases.length);
      const everything = JSON.stringify(after);
      expect(everything).not.toContain(NATIONAL_ID);
      expect(everything).not.toContain(SMUGGLED_PASSWORD);
      expect(JSON.stringify([after.records, after.conflicts])).not.toContain(WRONG_TYPE_ID);
      // The user can still see and fix what was rejected: legitimate fields are kept.
      const att = await s.request('GET', '/api/v1/attention', { cookie: volCookie });
      expect(att.status).toBe(200);
      const mine = (att.body.rejected as { recordId: string; fields: Record<string, unknown> }[]).find((x) => x.recordId === h.id);
      expect(mine?.fields).toMatchObject({ wardCode: 'CUANAM', group: 'TDP 1', headName: h.headName });
      expect(JSON.stringify(att.body)).not.toContain(NATIONAL_ID);
    });

    it('push: NUL bytes and lone surrogates in record text are per-mutation rejections or stored safely, never a 500', async () => {
      const box = new Outbox();
      const before = await snapshot();
      const withNul = box.create('household', household({ group: 'TDP\u00001' }));
      const nulKey = box.create('household', household());
      nulKey.fields = { ...nulKey.fields, ['bad\u0000key']: 1 };
      const nulNotes = box.create('household', household({ notes: 'a\u0000b' }));
      const ok = box.create('household', household({ notes: 'Bà Tư 👵🏻 \ud83d ở ngõ 45' }));
      const r = await s.request('POST', '/api/v1/sync/push', { cookie: volCookie, body: box.body([withNul, nulKey, nulNotes, ok]) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['rejected', 'rejected', 'rejected', 'applied']);
      expect(r.body.results[0].error).toMatchObject({ code: 'invalid_record', path: 'group' });
      expect(r.body.results[2].error).toMatchObject({ code: 'invalid_record', path: 'notes' });
      const after = await snapshot();
      expect(after.records.length).toBe(before.records.length + 1);
      // No NUL reaches a record (a rejected mutation keeps the text, JSON-escaped, for the user to fix).
      expect(JSON.stringify(after.records)).not.toContain('\\u0000');
    });

    // ------------------------------------------------------------ pull and attention

    it('pull and attention refuse bad cursors and limits', async () => {
      const pulls = [
        'cursor=-1',
        'cursor=abc',
        'cursor=1e309',
        'cursor=1.5',
        'cursor=',
        'cursor=0x10',
        'cursor=%201',
        'cursor=1&cursor=2',
        'cursor=9999999999999999',
        'cursor=NaN',
        'cursor=Infinity',
        'cursor[]=1',
        'limit=0',
        'limit=100000',
        'limit=1001',
        'limit=-5',
        'limit=abc',
        'limit=',
        'limit=1e3',
        'limit=%00',
        'cursor=0&extra=1',
        '__proto__=1',
        'constructor[prototype][x]=1',
      ];
      for (const q of pulls) {
        await refused(`pull ?${q}`, req('GET', `/api/v1/sync/pull?${q}`, { cookie: volCookie }), 400, 'invalid_request');
      }
      for (const q of ['limit=0', 'limit=100000', 'limit=-1', 'limit=abc', 'limit=1e309', 'limit=1&limit=2', 'limit=10&all=1', 'limit=%00']) {
        await refused(`attention ?${q}`, req('GET', `/api/v1/attention?${q}`, { cookie: supCookie }), 400, 'invalid_request');
      }
      // The edges that are allowed.
      for (const q of ['cursor=0&limit=1', 'cursor=999999999999999&limit=1000', '']) {
        const r = await s.request('GET', `/api/v1/sync/pull?${q}`, { cookie: volCookie });
        expect(r.status, q).toBe(200);
      }
    });

    // ------------------------------------------------------------ users

    it('users: wrong roles, bad bodies and bad ids are refused and change nothing', async () => {
      const good = { username: 'new.volunteer', password: 'mat-khau-dai', displayName: 'Nguyễn Thị Lan', role: 'volunteer', groups: ['TDP 1'] };
      // Volunteers may not manage accounts at all.
      await refused('volunteer POST', req('POST', '/api/v1/users', { cookie: volCookie, body: good }), 403, 'forbidden');
      await refused('volunteer GET', req('GET', '/api/v1/users', { cookie: volCookie }), 403, 'forbidden');
      await refused('volunteer PATCH', req('PATCH', `/api/v1/users/${target.id}`, { cookie: volCookie, body: { disabled: true } }), 403, 'forbidden');
      await refused('volunteer PATCH self', req('PATCH', `/api/v1/users/${vol.id}`, { cookie: volCookie, body: { groups: ['TDP 1', 'TDP 2'] } }), 403, 'forbidden');
      await refused('volunteer revoke', req('POST', `/api/v1/users/${sup.id}/revoke`, { cookie: volCookie }), 403, 'forbidden');

      const badCreates: [string, unknown][] = [
        ['role supervisor', { ...good, role: 'supervisor' }],
        ['role admin', { ...good, role: 'admin' }],
        ['role VOLUNTEER', { ...good, role: 'VOLUNTEER' }],
        ['role null', { ...good, role: null }],
        ['role array', { ...good, role: ['volunteer'] }],
        ['no role', { ...good, role: undefined }],
        ['username spaces', { ...good, username: 'lan nguyen' }],
        ['username vietnamese', { ...good, username: 'lan.nguyễn' }],
        ['username 1 char', { ...good, username: 'l' }],
        ['username 65 chars', { ...good, username: 'l'.repeat(65) }],
        ['username NUL', { ...good, username: 'lan\u0000' }],
        ['password number', { ...good, password: 12345678 }],
        ['password 201', { ...good, password: 'p'.repeat(201) }],
        ['displayName blank', { ...good, displayName: '   ' }],
        ['displayName NUL', { ...good, displayName: 'Lan\u0000' }],
        ['groups string', { ...good, groups: 'TDP 1' }],
        ['groups 101', { ...good, groups: Array.from({ length: 101 }, (_, i) => `G${i}`) }],
        ['group too long', { ...good, groups: ['g'.repeat(41)] }],
        ['group empty', { ...good, groups: [''] }],
        ['group NUL', { ...good, groups: ['TDP\u00001'] }],
        ['wardCode field', { ...good, wardCode: 'HOANKIEM' }],
        ['disabled field', { ...good, disabled: false }],
        ['id field', { ...good, id: uuidv7() }],
      ];
      for (const [label, body] of badCreates) {
        await refused(`create ${label}`, req('POST', '/api/v1/users', { cookie: supCookie, body }), 400, 'invalid_request');
      }
      await refused('create taken username', req('POST', '/api/v1/users', { cookie: supCookie, body: { ...good, username: vol.username.toUpperCase() } }), 409, 'conflict');

      const badIds = ['abc', '0', uuidv7(), otherWard.id, encodeURIComponent("1' or '1'='1"), '..%2F..%2Fetc', encodeURIComponent(target.id.toUpperCase())];
      for (const id of badIds) {
        await refused(`PATCH id ${id}`, req('PATCH', `/api/v1/users/${id}`, { cookie: supCookie, body: { disabled: true } }), 404, 'not_found');
        await refused(`revoke id ${id}`, req('POST', `/api/v1/users/${id}/revoke`, { cookie: supCookie }), 404, 'not_found');
      }
      for (const id of ['ab%00cd', 'x'.repeat(65)]) {
        await refused(`PATCH id ${id}`, req('PATCH', `/api/v1/users/${id}`, { cookie: supCookie, body: { disabled: true } }), 400, 'invalid_request');
        await refused(`revoke id ${id}`, req('POST', `/api/v1/users/${id}/revoke`, { cookie: supCookie }), 400, 'invalid_request');
      }

      const badPatches: [string, unknown][] = [
        ['disabled string', { disabled: 'yes' }],
        ['disabled 1', { disabled: 1 }],
        ['groups string', { groups: 'TDP 1' }],
        ['groups null', { groups: null }],
        ['role', { role: 'supervisor' }],
        ['wardCode', { wardCode: 'HOANKIEM' }],
        ['username', { username: 'renamed' }],
        ['displayName blank', { displayName: '' }],
        ['displayName NUL', { displayName: 'A\u0000' }],
      ];
      for (const [label, body] of badPatches) {
        await refused(`patch ${label}`, req('PATCH', `/api/v1/users/${target.id}`, { cookie: supCookie, body }), 400, 'invalid_request');
      }
      await refused('supervisor disables self', req('PATCH', `/api/v1/users/${sup.id}`, { cookie: supCookie, body: { disabled: true } }), 403, 'forbidden');
    });

    // ------------------------------------------------------------ fuzz

    it('fuzz: 300 mutated pushes never answer 5xx and never store a record the shared schemas refuse', async () => {
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
        const h = household();
        const p = person(h.id, { phone: '0912 345 678' });
        const v = visit(h.id, { people: [{ personId: p.id, steps: [], independent: [] }] });
        const mutations: Record<string, unknown>[] = [
          clientBox.create('household', h),
          clientBox.create('person', p),
          clientBox.create('visit', v),
          clientBox.update('household', seeded, { ...seeded, notes: `Lần ${i}` }),
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
        const cookie = rand.next() < 0.1 ? supCookie : volCookie;
        const r = await s.request('POST', '/api/v1/sync/push', { cookie, body });
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
          const row = await s.db.kysely.selectFrom('clients').select('last_applied_seq').where('client_id', '=', clientBox.clientId).executeTakeFirst();
          clientBox.seq = Number(row?.last_applied_seq ?? 0);
        }
      }
      // Every kind of answer happened, so the fuzz exercised more than one path.
      expect(statuses.get(200) ?? 0).toBeGreaterThan(30);
      expect(statuses.get(400) ?? 0).toBeGreaterThan(30);

      // Everything stored still passes the shared schemas, as the device will parse it.
      const rows = await s.db.kysely.selectFrom('records').selectAll().execute();
      expect(rows.length).toBeGreaterThan(10);
      for (const row of rows) {
        const record = JSON.parse(row.data) as Record<string, unknown>;
        const parsed = entitySchemas[row.entity as Entity].safeParse(record);
        expect(parsed.success, `${row.entity} ${row.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
        expect(record.id).toBe(row.id);
        expect(record.wardCode).toBe(row.ward_code);
        expect(Boolean(row.deleted)).toBe(record.deleted);
      }
      // Smuggled keys never reach records or conflict rows. (A rejected mutation
      // keeps known fields' values as sent, whatever their type, so the user can fix them.)
      const stored = await snapshot();
      expect(JSON.stringify([stored.records, stored.conflicts])).not.toContain(NATIONAL_ID);
      expect(JSON.stringify(stored.records)).not.toContain('\\u0000');
      for (const row of await s.db.kysely.selectFrom('conflicts').selectAll().execute()) {
        const schema = (entitySchemas[row.entity as Entity].shape as Record<string, z.ZodType>)[row.field];
        expect(schema, row.field).toBeDefined();
        expect(schema!.safeParse(JSON.parse(row.client_value ?? 'null') ?? undefined).success, row.client_value!).toBe(true);
      }
      // And the pull that devices run still works for both roles.
      for (const cookie of [supCookie, volCookie]) {
        const pull = await s.request('GET', '/api/v1/sync/pull?cursor=0&limit=1000', { cookie });
        expect(pull.status).toBe(200);
      }
    });
  });
}
