// @vitest-environment node
// Bad input to enrolment and devices: every role that may not call them, bad
// bodies, params and queries, links that are used, expired or cancelled, and a
// fuzz of mutated bodies. Each is refused with its documented code and
// changes nothing, on SQLite and (when available) PostgreSQL.
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../factories/generate';
import { Outbox } from '../../factories/mutations';
import { describeBadInput, describeRefusals, expectApiError, nested, NATIONAL_ID, refusal, snapshot, type Refusal, type World } from './helpers';
import type { TestServer } from '../helpers';

const GOOD = { role: 'volunteer', groups: ['TDP 1'], displayName: 'Nguyễn Thị Lan' };
const STRONG = 'lantern orchid violet river';

/** Users and links the refusals below need, made in beforeAll (after the world). */
interface Extra {
  responderCookie: string;
  cityCookie: string;
  farCookie: string;
  pending: { id: string; token: string };
  used: { id: string; token: string };
  expired: { id: string; token: string };
  cancelled: { id: string; token: string };
  reset: { id: string; token: string };
  clientId: string;
}
const x = {} as Extra;

async function makeExtra(w: World) {
  const s: TestServer = w.s;
  const responder = await s.createUser({ role: 'responder' });
  const city = await s.createUser({ role: 'city', wardCode: '*' });
  const far = await s.createUser({ role: 'supervisor', wardCode: 'HOANKIEM' });
  x.responderCookie = (await s.login(responder.username, responder.password)).cookie;
  x.cityCookie = (await s.login(city.username, city.password)).cookie;
  x.farCookie = (await s.login(far.username, far.password)).cookie;
  const create = async () => {
    const r = await s.request('POST', '/api/v1/enrolments', { cookie: w.supCookie, body: GOOD });
    expect(r.status).toBe(201);
    return { id: r.body.id as string, token: r.body.token as string };
  };
  x.pending = await create();
  x.used = await create();
  expect((await s.request('POST', '/api/v1/enrolments/redeem', { body: { token: x.used.token, username: 'used.link', password: STRONG } })).status).toBe(200);
  x.expired = await create();
  await s.db.kysely.updateTable('enrolments').set({ expires_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', x.expired.id).execute();
  x.cancelled = await create();
  expect((await s.request('DELETE', `/api/v1/enrolments/${x.cancelled.id}`, { cookie: w.supCookie })).status).toBe(204);
  const reset = await s.request('POST', `/api/v1/users/${w.vol.id}/enrolment`, { cookie: w.supCookie });
  x.reset = { id: reset.body.id, token: reset.body.token };
  // A device of the volunteer, so that revoke and the device list have a row.
  const box = new Outbox();
  expect((await s.request('POST', '/api/v1/sync/push', { cookie: w.volCookie, body: { ...box.body([]), device: { appVersion: '0.1.0', pending: 0, storagePersisted: true } } })).status).toBe(200);
  x.clientId = box.clientId;
}

const asRole = (role: 'vol' | 'responder' | 'city' | 'anon') => (w: World) => {
  const cookie = role === 'vol' ? w.volCookie : role === 'responder' ? x.responderCookie : role === 'city' ? x.cityCookie : undefined;
  return cookie ? { cookie } : {};
};

const ROLE_CALLS: Refusal[] = (
  [
    ['vol', 403, 'forbidden'],
    ['responder', 403, 'forbidden'],
    ['city', 403, 'forbidden'],
    ['anon', 401, 'unauthenticated'],
  ] as const
).flatMap(([role, status, code]) => [
  refusal(`${role} POST /enrolments`, status, code, 'POST', '/api/v1/enrolments', (w) => ({ ...asRole(role)(w), body: GOOD })),
  refusal(`${role} GET /enrolments`, status, code, 'GET', '/api/v1/enrolments', asRole(role)),
  refusal(`${role} DELETE /enrolments/:id`, status, code, 'DELETE', () => `/api/v1/enrolments/${x.pending.id}`, asRole(role)),
  refusal(`${role} POST /users/:id/enrolment`, status, code, 'POST', (w) => `/api/v1/users/${w.target.id}/enrolment`, asRole(role)),
  refusal(`${role} POST /devices/:id/revoke`, status, code, 'POST', () => `/api/v1/devices/${x.clientId}/revoke`, asRole(role)),
  ...(role === 'city' ? [] : [refusal(`${role} GET /devices`, status, code, 'GET', '/api/v1/devices', asRole(role))]),
]);

const BAD_CREATES: Refusal[] = (
  [
    ['role supervisor', { ...GOOD, role: 'supervisor' }],
    ['role city', { ...GOOD, role: 'city' }],
    ['role missing', { ...GOOD, role: undefined }],
    ['role number', { ...GOOD, role: 1 }],
    ['groups string', { ...GOOD, groups: 'TDP 1' }],
    ['groups 101', { ...GOOD, groups: Array.from({ length: 101 }, (_, i) => `G${i}`) }],
    ['group too long', { ...GOOD, groups: ['g'.repeat(41)] }],
    ['group blank', { ...GOOD, groups: ['  '] }],
    ['group NUL', { ...GOOD, groups: ['TDP\u00001'] }],
    ['displayName blank', { ...GOOD, displayName: ' ' }],
    ['displayName 101', { ...GOOD, displayName: 'L'.repeat(101) }],
    ['displayName missing', { ...GOOD, displayName: undefined }],
    ['wardCode smuggled', { ...GOOD, wardCode: 'HOANKIEM' }],
    ['nationalId smuggled', { ...GOOD, nationalId: NATIONAL_ID }],
    ['userId smuggled', { ...GOOD, userId: 'someone' }],
    ['array body', [GOOD]],
    ['nested', { ...GOOD, groups: nested(200) }],
  ] as [string, unknown][]
).map(([name, body]) => refusal(`create ${name}`, 400, 'invalid_request', 'POST', '/api/v1/enrolments', (w) => ({ cookie: w.supCookie, body })));
BAD_CREATES.push(refusal('create with a group the ward does not have', 400, 'unknown_group', 'POST', '/api/v1/enrolments', (w) => ({ cookie: w.supCookie, body: { ...GOOD, groups: ['TDP 1', 'TDP 404'] } })));

const redeem = (name: string, status: number, code: string, body: (w: World) => unknown) =>
  refusal(name, status, code, 'POST', '/api/v1/enrolments/redeem', (w) => ({ body: body(w) }));

const BAD_REDEEMS: Refusal[] = [
  redeem('redeem no token', 400, 'invalid_request', () => ({ username: 'new.one', password: STRONG })),
  redeem('redeem short token', 400, 'invalid_request', () => ({ token: 'abc', username: 'new.one', password: STRONG })),
  redeem('redeem token with slash', 400, 'invalid_request', () => ({ token: `${'a'.repeat(42)}/`, username: 'new.one', password: STRONG })),
  redeem('redeem token number', 400, 'invalid_request', () => ({ token: 12345, username: 'new.one', password: STRONG })),
  redeem('redeem no password', 400, 'invalid_request', () => ({ token: x.pending.token, username: 'new.one' })),
  redeem('redeem password 201', 400, 'invalid_request', () => ({ token: x.pending.token, username: 'new.one', password: 'p'.repeat(201) })),
  redeem('redeem extra key', 400, 'invalid_request', () => ({ token: x.pending.token, username: 'new.one', password: STRONG, role: 'supervisor' })),
  redeem('redeem no username for a new account', 400, 'invalid_request', () => ({ token: x.pending.token, password: STRONG })),
  redeem('redeem username with spaces', 400, 'invalid_request', () => ({ token: x.pending.token, username: 'new one', password: STRONG })),
  redeem('redeem username NUL', 400, 'invalid_request', () => ({ token: x.pending.token, username: 'new\u0000', password: STRONG })),
  redeem('redeem another username on a reset', 400, 'invalid_request', () => ({ token: x.reset.token, username: 'not.theirs', password: STRONG })),
  redeem('redeem weak password', 400, 'weak_password', () => ({ token: x.pending.token, username: 'new.one', password: 'matkhau2025' })),
  redeem('redeem short password', 400, 'weak_password', () => ({ token: x.pending.token, username: 'new.one', password: 'short' })),
  redeem('redeem taken username', 409, 'conflict', (w) => ({ token: x.pending.token, username: w.vol.username, password: STRONG })),
  redeem('redeem used link', 410, 'enrolment_used', () => ({ token: x.used.token, username: 'new.one', password: STRONG })),
  redeem('redeem expired link', 410, 'enrolment_expired', () => ({ token: x.expired.token, username: 'new.one', password: STRONG })),
  redeem('redeem cancelled link', 410, 'enrolment_cancelled', () => ({ token: x.cancelled.token, username: 'new.one', password: STRONG })),
  refusal('peek used link', 410, 'enrolment_used', 'POST', '/api/v1/enrolments/peek', () => ({ body: { token: x.used.token } })),
  refusal('peek extra key', 400, 'invalid_request', 'POST', '/api/v1/enrolments/peek', () => ({ body: { token: x.pending.token, more: 1 } })),
  refusal('redeem text body', 400, 'invalid_json', 'POST', '/api/v1/enrolments/redeem', () => ({ rawBody: 'token=abc', headers: { 'content-type': 'text/plain' } })),
  refusal('redeem broken JSON', 400, 'invalid_json', 'POST', '/api/v1/enrolments/redeem', () => ({ rawBody: '{"token":' })),
];

const BAD_MANAGEMENT: Refusal[] = [
  refusal('cancel unknown id', 404, 'not_found', 'DELETE', '/api/v1/enrolments/no-such-id', (w) => ({ cookie: w.supCookie })),
  refusal('cancel other ward’s', 404, 'not_found', 'DELETE', () => `/api/v1/enrolments/${x.pending.id}`, () => ({ cookie: x.farCookie })),
  refusal('cancel used', 410, 'enrolment_used', 'DELETE', () => `/api/v1/enrolments/${x.used.id}`, (w) => ({ cookie: w.supCookie })),
  refusal('cancel id too long', 400, 'invalid_request', 'DELETE', `/api/v1/enrolments/${'i'.repeat(65)}`, (w) => ({ cookie: w.supCookie })),
  refusal('re-enrol unknown user', 404, 'not_found', 'POST', '/api/v1/users/nobody/enrolment', (w) => ({ cookie: w.supCookie })),
  refusal('re-enrol other ward’s user', 404, 'not_found', 'POST', (w) => `/api/v1/users/${w.otherWard.id}/enrolment`, (w) => ({ cookie: w.supCookie })),
  refusal('re-enrol self', 403, 'forbidden', 'POST', (w) => `/api/v1/users/${w.sup.id}/enrolment`, (w) => ({ cookie: w.supCookie })),
  refusal('re-enrol disabled', 409, 'conflict', 'POST', (w) => `/api/v1/users/${w.disabled.id}/enrolment`, (w) => ({ cookie: w.supCookie })),
  refusal('re-enrol with a body', 400, 'invalid_request', 'POST', (w) => `/api/v1/users/${w.target.id}/enrolment`, (w) => ({ cookie: w.supCookie, body: { password: STRONG } })),
  refusal('devices other ward', 403, 'forbidden', 'GET', '/api/v1/devices?ward=HOANKIEM', (w) => ({ cookie: w.supCookie })),
  refusal('devices unknown query', 400, 'invalid_request', 'GET', '/api/v1/devices?all=1', (w) => ({ cookie: w.supCookie })),
  refusal('devices ward too long', 400, 'invalid_request', 'GET', `/api/v1/devices?ward=${'W'.repeat(41)}`, () => ({ cookie: x.cityCookie })),
  refusal('revoke unknown device', 404, 'not_found', 'POST', '/api/v1/devices/client-unknown-1/revoke', (w) => ({ cookie: w.supCookie })),
  refusal('revoke other ward’s device', 404, 'not_found', 'POST', () => `/api/v1/devices/${x.clientId}/revoke`, () => ({ cookie: x.farCookie })),
  refusal('revoke short id', 400, 'invalid_request', 'POST', '/api/v1/devices/abc/revoke', (w) => ({ cookie: w.supCookie })),
  refusal('revoke with a body', 400, 'invalid_request', 'POST', () => `/api/v1/devices/${x.clientId}/revoke`, (w) => ({ cookie: w.supCookie, body: { all: true } })),
  refusal('push with a bad report', 400, 'invalid_request', 'POST', '/api/v1/sync/push', (w) => ({
    cookie: w.volCookie,
    body: { ...new Outbox().body([]), device: { appVersion: '', pending: -1, storagePersisted: 'yes' } },
  })),
  refusal('push with extra report keys', 400, 'invalid_request', 'POST', '/api/v1/sync/push', (w) => ({
    cookie: w.volCookie,
    body: { ...new Outbox().body([]), device: { appVersion: '1', pending: 0, storagePersisted: true, imei: NATIONAL_ID } },
  })),
  refusal('pull with half a report', 400, 'invalid_request', 'GET', '/api/v1/sync/pull?client=client-abcdefgh&pending=1', (w) => ({ cookie: w.volCookie })),
  refusal('pull with a negative pending', 400, 'invalid_request', 'GET', '/api/v1/sync/pull?client=client-abcdefgh&appVersion=1&pending=-1&persisted=1', (w) => ({ cookie: w.volCookie })),
  refusal('pull with a long appVersion', 400, 'invalid_request', 'GET', `/api/v1/sync/pull?client=client-abcdefgh&appVersion=${'v'.repeat(41)}&pending=1&persisted=1`, (w) => ({ cookie: w.volCookie })),
];

describeBadInput('enrolment and devices', (w) => {
  beforeAll(() => makeExtra(w));
  describeRefusals('roles', w, ROLE_CALLS);
  describeRefusals('creating an enrolment', w, BAD_CREATES);
  describeRefusals('redeeming', w, BAD_REDEEMS);
  describeRefusals('managing enrolments and devices', w, BAD_MANAGEMENT);

  it('an unknown token answers 404 and only books a throttle attempt', async () => {
    const before = await snapshot(w.s);
    const r = await w.s.request('POST', '/api/v1/enrolments/redeem', { body: { token: 'Z'.repeat(43), username: 'new.one', password: STRONG } });
    expectApiError(r, 404, 'not_found', 'unknown token');
    const after = await snapshot(w.s);
    expect({ ...after, login_failures: [] }).toEqual({ ...before, login_failures: [] });
    expect(after.login_failures.length).toBe(before.login_failures.length + 1);
  });

  describe('fuzz', () => {
    it('200 mutated bodies to every enrolment and device endpoint never answer 5xx and never change anything but throttle rows', async () => {
      const r = rng(0xe4201);
      const hostile: unknown[] = [null, 0, -1, 1.5, 1e308, '', ' ', 'x'.repeat(3000), 'a\u0000b', '\ud800', '<script>', true, [], {}, [null], nested(50), NATIONAL_ID, 'volunteer', 'supervisor', 'TDP 1'];
      const keys = ['role', 'groups', 'displayName', 'token', 'username', 'password', 'userId', 'wardCode', '__proto__', 'constructor', 'device'];
      const bases = (): { method: string; url: string; body: Record<string, unknown>; cookie?: string }[] => [
        { method: 'POST', url: '/api/v1/enrolments', body: { ...GOOD }, cookie: w.supCookie },
        { method: 'POST', url: '/api/v1/enrolments/redeem', body: { token: x.pending.token, username: 'fuzz.user', password: 'x' } },
        { method: 'POST', url: '/api/v1/enrolments/peek', body: { token: x.used.token } },
        { method: 'POST', url: `/api/v1/users/${w.target.id}/enrolment`, body: {}, cookie: w.volCookie },
        { method: 'POST', url: `/api/v1/devices/${x.clientId}/revoke`, body: {}, cookie: x.cityCookie },
      ];
      const before = await snapshot(w.s);
      const statuses = new Map<number, number>();
      for (let i = 0; i < 200; i++) {
        const req = r.pick(bases());
        for (let k = 1 + r.int(0, 2); k > 0; k--) {
          const roll = r.next();
          const key = roll < 0.5 ? r.pick(Object.keys(req.body).length ? Object.keys(req.body) : keys) : r.pick(keys);
          if (roll < 0.8) req.body[key] = structuredClone(r.pick(hostile));
          else delete req.body[key];
        }
        const res = await w.s.request(req.method, req.url, { ...(req.cookie ? { cookie: req.cookie } : {}), body: req.body });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const label = `iteration ${i}: ${req.method} ${req.url} ${JSON.stringify(req.body).slice(0, 300)}`;
        expect(res.status, label).toBeLessThan(500);
        if (res.status >= 400) expectApiError(res, res.status, res.body?.error?.code, label);
      }
      // Creates that happened to stay valid are the only allowed change, besides throttle bookings.
      const after = await snapshot(w.s);
      expect({ ...after, login_failures: [], enrolments: [] }).toEqual({ ...before, login_failures: [], enrolments: [] });
      const rows = await w.s.db.kysely.selectFrom('enrolments').selectAll().execute();
      expect(rows.filter((row) => row.used_at !== null).length).toBe(1); // only the setup's redeem
      expect(JSON.stringify(rows)).not.toContain(NATIONAL_ID);
      expect(statuses.get(400) ?? 0).toBeGreaterThan(20);
    });
  });
});
