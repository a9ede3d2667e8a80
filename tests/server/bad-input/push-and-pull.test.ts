// @vitest-environment node
// Bad input to sync: malformed push envelopes and mutations, seq gaps, a
// foreign clientId, smuggled fields, NUL bytes and lone surrogates, and bad
// pull and attention queries, on SQLite and (when available) PostgreSQL.
// A push is refused as a whole and applies nothing; a mutation the shared
// schemas refuse is rejected on its own, and its smuggled values are stored nowhere.
import { beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../../factories/records';
import {
  describeBadInput,
  describeRefusals,
  named,
  nested,
  NATIONAL_ID,
  refusal,
  refuse,
  snapshot,
  type Res,
  type Refusal,
  type Snapshot,
  type World,
} from './helpers';
import { PROTOCOL_VERSION, pushResponseSchema, type Mutation } from '../../../src/shared/protocol';
import type { Household, Person } from '../../../src/shared/schemas';

const SMUGGLED_PASSWORD = 'hunter2-smuggled';
// Sent as the (wrongly typed) value of a known field: kept out of records and
// conflict rows; a rejected mutation keeps known fields as sent, for the user to fix.
const WRONG_TYPE_ID = '079199001234';

const validMutation = (box: Outbox): Mutation => box.create('household', createHouseholdRecord());

/** A new client's first valid mutation (seq 1) and its envelope. */
interface FirstPush {
  box: Outbox;
  m: Mutation;
  env: { protocol: number; clientId: string };
}
function firstPush(): FirstPush {
  const box = new Outbox();
  return { box, m: validMutation(box), env: { protocol: PROTOCOL_VERSION, clientId: box.clientId } };
}

/** A push refused as a whole: the body is built from a new client's first mutation. */
function pushRefusal(name: string, status: number, code: string, body: (p: FirstPush, w: World) => unknown): Refusal {
  return refusal(name, status, code, 'POST', '/api/v1/sync/push', (w) => ({ cookie: w.volCookie, body: body(firstPush(), w) }));
}

/** The same, sent as raw text: a valid push with `"seq":1` replaced. */
function rawSeqRefusal(name: string, code: string, seq: string): Refusal {
  return refusal(name, 400, code, 'POST', '/api/v1/sync/push', (w) => {
    const { m, env } = firstPush();
    return { cookie: w.volCookie, rawBody: JSON.stringify({ ...env, mutations: [m] }).replace('"seq":1', `"seq":${seq}`) };
  });
}

const BAD_ENVELOPES: Refusal[] = [
  pushRefusal('no protocol', 400, 'invalid_request', ({ box, m }) => ({ clientId: box.clientId, mutations: [m] })),
  ...[2, 0, -1, '1', null, 1.5, [1], {}].map((protocol) =>
    pushRefusal(`protocol ${JSON.stringify(protocol)}`, 400, 'unsupported_protocol', ({ m, env }) => ({ ...env, protocol, mutations: [m] })),
  ),
  ...[undefined, '', 'short', 12345678, null, ['abcdefghij'], 'x'.repeat(101), 'abcdefgh\u0000ij'].map((clientId) =>
    pushRefusal(`clientId ${JSON.stringify(clientId)}`, 400, 'invalid_request', ({ m, env }) => ({ ...env, clientId, mutations: [m] })),
  ),
  ...[undefined, null, {}, 'x', 1, [null], [1], [[]], ['x']].map((mutations) =>
    pushRefusal(`mutations ${JSON.stringify(mutations)}`, 400, 'invalid_request', ({ env }) => ({ ...env, mutations })),
  ),
  pushRefusal('extra envelope key', 400, 'invalid_request', ({ m, env }) => ({ ...env, mutations: [m], admin: true })),
  pushRefusal('501 mutations', 413, 'payload_too_large', ({ box, env }) => ({
    ...env,
    mutations: Array.from({ length: 501 }, () => validMutation(new Outbox(box.clientId))),
  })),
];

const BAD_MUTATIONS: [string, (m: Mutation, w: World) => unknown][] = [
  ['seq 0', (m) => ({ ...m, seq: 0 })],
  ['seq -1', (m) => ({ ...m, seq: -1 })],
  ['seq 1.5', (m) => ({ ...m, seq: 1.5 })],
  ['seq "1"', (m) => ({ ...m, seq: '1' })],
  ['seq null', (m) => ({ ...m, seq: null })],
  ['seq 2^53+1', (m) => ({ ...m, seq: 2 ** 53 + 2 })],
  ['seq 1e300', (m) => ({ ...m, seq: 1e300 })],
  ['no seq', (m) => ({ ...m, seq: undefined })],
  ['id not uuid', (m) => ({ ...m, id: 'not-a-uuid' })],
  ['id sql', (m) => ({ ...m, id: "1'; drop table records; --" })],
  ['id number', (m) => ({ ...m, id: 7 })],
  ['id uuid + junk', (m) => ({ ...m, id: `${m.id}x` })],
  ['entity user', (m) => ({ ...m, entity: 'user' })],
  ['entity households', (m) => ({ ...m, entity: 'households' })],
  ['entity __proto__', (m) => ({ ...m, entity: '__proto__' })],
  ['entity Household', (m) => ({ ...m, entity: 'Household' })],
  ['op insert', (m) => ({ ...m, op: 'insert' })],
  ['op DELETE', (m) => ({ ...m, op: 'DELETE' })],
  ['op null', (m) => ({ ...m, op: null })],
  ['at garbage', (m) => ({ ...m, at: 'yesterday' })],
  ['at no offset', (m) => ({ ...m, at: '2025-03-01T09:30:00' })],
  ['at month 13', (m) => ({ ...m, at: '2025-13-01T09:30:00Z' })],
  ['at number', (m) => ({ ...m, at: 1740800000000 })],
  ['fields null', (m) => ({ ...m, fields: null })],
  ['fields array', (m) => ({ ...m, fields: [] })],
  ['fields string', (m) => ({ ...m, fields: 'deleted=false' })],
  ['base null', (m) => ({ ...m, base: null })],
  ['base array', (m) => ({ ...m, base: [1] })],
  ['extra mutation key', (m, w) => ({ ...m, userId: w.sup.id })],
  ['deep field', (m) => ({ ...m, fields: { ...m.fields, notes: nested(40) } })],
];

const REFUSED_MUTATIONS: Refusal[] = [
  ...BAD_MUTATIONS.flatMap(([name, bad]) => [
    pushRefusal(name, 400, 'invalid_request', ({ m, env }, w) => ({ ...env, mutations: [bad(m, w)] })),
    // One bad mutation among good ones still refuses the whole push.
    pushRefusal(`${name} among good`, 400, 'invalid_request', ({ m, env }, w) => {
      const mutation = bad(m, w);
      const second = name.includes('seq') ? mutation : { ...(mutation as object), seq: 2 };
      return { ...env, mutations: [m, second] };
    }),
  ]),
  // 1e309 is Infinity once parsed; NaN is not JSON at all.
  rawSeqRefusal('seq 1e309', 'invalid_request', '1e309'),
  rawSeqRefusal('seq NaN', 'invalid_json', 'NaN'),
  rawSeqRefusal('seq -0', 'invalid_request', '-0'),
  pushRefusal('duplicate seqs', 400, 'invalid_request', ({ m, env }) => ({ ...env, mutations: [m, { ...validMutation(new Outbox()), seq: 1 }] })),
];

/** A push under the seed client (seqs 1 and 2 settled) of one new household per seq given. */
const seedPush = (name: string, status: number, code: string, seqs: (last: number) => number[], cookie: (w: World) => string = (w) => w.volCookie) =>
  refusal(name, status, code, 'POST', '/api/v1/sync/push', (w) => ({
    cookie: cookie(w),
    body: w.seedBox.body(seqs(w.seedBox.seq).map((seq) => ({ ...validMutation(new Outbox()), seq }))),
  }));

const SEQ_GAPS: Refusal[] = [
  seedPush('seq lastAppliedSeq + 2', 409, 'seq_gap', (last) => [last + 2]),
  seedPush('seq lastAppliedSeq + 100', 409, 'seq_gap', (last) => [last + 100]),
  seedPush('seq 2^40', 409, 'seq_gap', () => [2 ** 40]),
  // Contiguous start but a hole later.
  seedPush('a hole after the first mutation', 409, 'seq_gap', (last) => [last + 1, last + 3]),
];

// What smuggles a value the shared schemas do not allow, and where it is found.
interface Smuggled {
  h: Household;
  p: Person;
  seeded: Household;
}
const smuggle = (m: Mutation, extra: Record<string, unknown>): Mutation => ({ ...m, fields: { ...m.fields, ...extra } });
const SMUGGLING: { name: string; path: string; mutation: (box: Outbox, x: Smuggled) => Mutation }[] = [
  { name: 'household.nationalId', path: 'nationalId', mutation: (box, { h }) => smuggle(box.create('household', h), { nationalId: NATIONAL_ID }) },
  {
    name: 'household.password',
    path: 'password',
    mutation: (box) => smuggle(box.create('household', createHouseholdRecord()), { password: SMUGGLED_PASSWORD }),
  },
  {
    name: 'household.address.nationalId',
    path: 'address.nationalId',
    mutation: (box) =>
      smuggle(box.create('household', createHouseholdRecord()), { address: { houseNumber: '1', street: 'Hàng Bông', nationalId: NATIONAL_ID } }),
  },
  {
    name: 'person platforms nested',
    path: 'platforms.vneid.password',
    mutation: (box, { p }) => smuggle(box.create('person', p), { 'platforms.vneid': { ...p.platforms.vneid, password: SMUGGLED_PASSWORD } }),
  },
  {
    name: 'person.cccd',
    path: 'cccd',
    mutation: (box, { seeded }) => smuggle(box.create('person', createPersonRecord(seeded.id)), { cccd: NATIONAL_ID }),
  },
  {
    name: 'visit people nested',
    path: 'people.0.nationalId',
    mutation: (box, { seeded }) =>
      smuggle(box.create('visit', createVisitRecord(seeded.id)), { people: [{ steps: [], walkInName: 'Bà Tư', nationalId: NATIONAL_ID }] }),
  },
  // An update whose client value conflicts is never validated by the merge:
  // it must still not reach the conflict rows.
  {
    name: 'conflicting update nested',
    path: 'address.nationalId',
    mutation: (box, { seeded }) => ({
      ...box.update('household', seeded, { ...seeded, address: { ...seeded.address, nationalId: NATIONAL_ID } as never }),
      base: { address: { houseNumber: 'stale', street: 'stale' } },
    }),
  },
  {
    name: 'conflicting update, wrong type',
    path: 'notes',
    mutation: (box, { seeded }) => ({
      ...box.update('household', seeded, { ...seeded, notes: 'x' }),
      fields: { notes: { nationalId: WRONG_TYPE_ID } },
      base: { notes: 'stale' },
    }),
  },
  {
    name: 'conflicting update, smuggling base',
    path: 'notes',
    mutation: (box, { seeded }) => ({ ...box.update('household', seeded, { ...seeded, notes: 'x' }), base: { notes: { nationalId: WRONG_TYPE_ID } } }),
  },
  {
    name: 'update base smuggles',
    path: 'base.nationalId',
    mutation: (box, { seeded }) => ({
      ...box.update('household', seeded, { ...seeded, notes: 'Chỉ ở nhà buổi tối' }),
      base: { notes: 'x', nationalId: NATIONAL_ID },
    }),
  },
  {
    name: 'update base nested',
    path: 'base.address.password',
    mutation: (box, { seeded }) => ({
      ...box.update('household', seeded, { ...seeded, notes: 'Chỉ ở nhà buổi tối' }),
      base: { address: { houseNumber: '1', street: 'x', password: SMUGGLED_PASSWORD } },
    }),
  },
];

const BAD_PULLS = [
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
].map((q) => refusal(`pull ?${q}`, 400, 'invalid_request', 'GET', `/api/v1/sync/pull?${q}`, (w) => ({ cookie: w.volCookie })));

const ROW_ID = '0195a0c0-0000-7000-8000-000000000000';
const BAD_ATTENTION = [
  'limit=0',
  'limit=100000',
  'limit=201',
  'limit=1000',
  'limit=-1',
  'limit=abc',
  'limit=1e309',
  'limit=1&limit=2',
  'limit=10&all=1',
  'limit=%00',
  'cursor=',
  'cursor=abc',
  'cursor=0',
  `cursor=${ROW_ID}`,
  'cursor=end',
  'cursor=end.end.end',
  `cursor=${ROW_ID}.${ROW_ID.toUpperCase()}`,
  `cursor=${ROW_ID}.end%00`,
  `cursor=${'a'.repeat(5000)}`,
  'cursor=end.end&cursor=end.end',
  'cursor[]=end.end',
  'cursor[end]=end',
].map((q) =>
  refusal(`attention ?${q}`, 400, 'invalid_request', 'GET', `/api/v1/attention?${q}`, (w) => ({ cookie: w.supCookie })),
);

describeBadInput('push and pull', (w) => {
  describeRefusals('push refuses malformed envelopes as a whole, and applies nothing', w, BAD_ENVELOPES);

  describeRefusals('push refuses a malformed mutation, alone or among good ones, as a whole, and applies nothing', w, REFUSED_MUTATIONS);

  it("a push with __proto__ in a mutation's fields is 400 invalid_json and pollutes nothing", async () => {
    const { m, env } = firstPush();
    const raw = JSON.stringify({ ...env, mutations: [m] }).replace('"fields":{', '"fields":{"__proto__":{"polluted":1},');
    await refuse(w, refusal('__proto__ in fields', 400, 'invalid_json', 'POST', '/api/v1/sync/push', { cookie: w.volCookie, rawBody: raw }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe('push: seq gaps are 409 seq_gap, a foreign clientId is 403, and neither applies anything', () => {
    it.each(named(SEQ_GAPS))('%s', async (_, row) => {
      const r = await refuse(w, row);
      expect(r.body.error.lastAppliedSeq).toBe(w.seedBox.seq);
    });

    // The seed clientId belongs to the volunteer; the supervisor may not use it.
    it('a foreign clientId is 403 forbidden', async () => {
      await refuse(w, seedPush('foreign clientId', 403, 'forbidden', (last) => [last + 1], (x) => x.supCookie));
    });

    it('replays of settled seqs are duplicates and change no record', async () => {
      const before = await snapshot(w.s);
      const dup = await w.s.request('POST', '/api/v1/sync/push', {
        cookie: w.volCookie,
        body: w.seedBox.body([{ ...validMutation(new Outbox()), seq: 1 }, { ...validMutation(new Outbox()), seq: 2 }]),
      });
      expect(dup.status).toBe(200);
      expect(dup.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect((await snapshot(w.s)).records).toEqual(before.records);
    });
  });

  describe('strict schemas keep smuggled fields (nationalId, password) out of the database entirely', () => {
    // One push carries every case; each is rejected on its own.
    let h: Household;
    let r: Res;
    let before: Snapshot;
    let after: Snapshot;
    beforeAll(async () => {
      const box = new Outbox();
      h = createHouseholdRecord();
      const x: Smuggled = { h, p: createPersonRecord(w.seeded.id), seeded: w.seeded };
      const mutations = SMUGGLING.map((c) => c.mutation(box, x));
      before = await snapshot(w.s);
      r = await w.s.request('POST', '/api/v1/sync/push', { cookie: w.volCookie, body: box.body(mutations) });
      after = await snapshot(w.s);
    });

    it('the push is answered and every mutation in it is settled', () => {
      expect(r.status).toBe(200);
      expect(pushResponseSchema.parse(r.body).lastAppliedSeq).toBe(SMUGGLING.length);
    });

    it.each(SMUGGLING.map((c, i) => [c.name, c.path, i] as [string, string, number]))('%s is rejected as invalid_record at %s', (name, path, i) => {
      expect(r.body.results[i], name).toMatchObject({ status: 'rejected', error: { code: 'invalid_record', path } });
    });

    it('no record or conflict row is written; every rejection is kept', () => {
      expect(after.records, 'no record written').toEqual(before.records);
      expect(after.conflicts, 'no conflict stored').toEqual(before.conflicts);
      expect(after.rejected_mutations.length - before.rejected_mutations.length).toBe(SMUGGLING.length);
    });

    it('the smuggled values are stored nowhere', () => {
      const everything = JSON.stringify(after);
      expect(everything).not.toContain(NATIONAL_ID);
      expect(everything).not.toContain(SMUGGLED_PASSWORD);
      expect(JSON.stringify([after.records, after.conflicts])).not.toContain(WRONG_TYPE_ID);
    });

    it('the user can still see and fix what was rejected: legitimate fields are kept', async () => {
      const att = await w.s.request('GET', '/api/v1/attention', { cookie: w.volCookie });
      expect(att.status).toBe(200);
      const mine = (att.body.rejected as { recordId: string; fields: Record<string, unknown> }[]).find((x) => x.recordId === h.id);
      expect(mine?.fields).toMatchObject({ wardCode: 'CUANAM', group: 'TDP 1', headName: h.headName });
      expect(JSON.stringify(att.body)).not.toContain(NATIONAL_ID);
    });
  });

  it('push: NUL bytes and lone surrogates in record text are per-mutation rejections or stored safely, never a 500', async () => {
    const box = new Outbox();
    const before = await snapshot(w.s);
    const withNul = box.create('household', createHouseholdRecord({ group: 'TDP\u00001' }));
    const nulKey = box.create('household', createHouseholdRecord());
    nulKey.fields = { ...nulKey.fields, ['bad\u0000key']: 1 };
    const nulNotes = box.create('household', createHouseholdRecord({ notes: 'a\u0000b' }));
    const ok = box.create('household', createHouseholdRecord({ notes: 'Bà Tư 👵🏻 \ud83d ở ngõ 45' }));
    const r = await w.s.request('POST', '/api/v1/sync/push', { cookie: w.volCookie, body: box.body([withNul, nulKey, nulNotes, ok]) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['rejected', 'rejected', 'rejected', 'applied']);
    expect(r.body.results[0].error).toMatchObject({ code: 'invalid_record', path: 'group' });
    expect(r.body.results[2].error).toMatchObject({ code: 'invalid_record', path: 'notes' });
    const after = await snapshot(w.s);
    expect(after.records.length).toBe(before.records.length + 1);
    // No NUL reaches a record (a rejected mutation keeps the text, JSON-escaped, for the user to fix).
    expect(JSON.stringify(after.records)).not.toContain('\\u0000');
  });

  describeRefusals('pull and attention refuse bad cursors and limits', w, [...BAD_PULLS, ...BAD_ATTENTION]);

  it.each(['limit=1', 'limit=200', 'cursor=end.end', `cursor=${ROW_ID}.end&limit=1`, `cursor=end.${ROW_ID}`])('attention ?%s, an edge that is allowed, is 200', async (q) => {
    const r = await w.s.request('GET', `/api/v1/attention?${q}`, { cookie: w.supCookie });
    expect(r.status, q).toBe(200);
  });

  it.each(['cursor=0&limit=1', 'cursor=999999999999999&limit=1000', ''])('pull ?%s, an edge that is allowed, is 200', async (q) => {
    const r = await w.s.request('GET', `/api/v1/sync/pull?${q}`, { cookie: w.volCookie });
    expect(r.status, q).toBe(200);
  });
});
