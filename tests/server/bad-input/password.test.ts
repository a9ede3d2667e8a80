// @vitest-environment node
// Bad input to PUT /api/v1/session/password (a user changing their own
// password) and weak new passwords at every door that sets one. Each is
// refused and changes nothing, on SQLite and (when available) PostgreSQL; a
// fuzz loop never answers 5xx and never changes the password.
import { describe, expect, it } from 'vitest';
import { rng } from '../../factories/generate';
import { describeBadInput, describeRefusals, expectApiError, named, nested, refusal, refuse, type Refusal, type World } from './helpers';

const URL = '/api/v1/session/password';
const NEW = 'a-brand-new-password';
/** A body that would succeed: the volunteer's current password and a strong new one. */
const good = (w: World) => ({ currentPassword: w.vol.password, newPassword: NEW });

const INVALID_JSON: Refusal[] = [
  ...['{', '{"currentPassword": ', '[1,]', "{'a':1}", 'NaN', '{"a":1}{"b":2}', '\u0000', ''].map((raw) =>
    refusal(`PUT ${JSON.stringify(raw)}`, 400, 'invalid_json', 'PUT', URL, (w) => ({ cookie: w.volCookie, rawBody: raw })),
  ),
  ...['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/xml'].map((ct) =>
    refusal(`PUT ${ct}`, 400, 'invalid_json', 'PUT', URL, (w) => ({
      cookie: w.volCookie,
      rawBody: JSON.stringify(good(w)),
      headers: { 'content-type': ct },
    })),
  ),
  ...['{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}'].map((raw) =>
    refusal(`PUT ${raw}`, 400, 'invalid_json', 'PUT', URL, (w) => ({ cookie: w.volCookie, rawBody: raw })),
  ),
];

const BAD_BODIES: Refusal[] = (
  [
    ['null', () => null],
    ['array', (w) => [good(w)]],
    ['string', () => NEW],
    ['number', () => 42],
    ['empty object', () => ({})],
    ['no currentPassword', () => ({ newPassword: NEW })],
    ['no newPassword', (w) => ({ currentPassword: w.vol.password })],
    ['empty currentPassword', (w) => ({ ...good(w), currentPassword: '' })],
    ['numeric newPassword', (w) => ({ ...good(w), newPassword: 12345678901 })],
    ['null newPassword', (w) => ({ ...good(w), newPassword: null })],
    ['array currentPassword', (w) => ({ ...good(w), currentPassword: [w.vol.password] })],
    ['operator object', (w) => ({ ...good(w), currentPassword: { $ne: null } })],
    ['newPassword 201 characters', (w) => ({ ...good(w), newPassword: 'p'.repeat(201) })],
    ['currentPassword 201 characters', (w) => ({ ...good(w), currentPassword: 'p'.repeat(201) })],
    ['NUL in newPassword', (w) => ({ ...good(w), newPassword: 'a-brand-new\u0000password' })],
    ['NUL in currentPassword', (w) => ({ ...good(w), currentPassword: `${w.vol.password}\u0000` })],
    ['extra userId', (w) => ({ ...good(w), userId: w.sup.id })],
    ['extra username', (w) => ({ ...good(w), username: w.sup.username })],
    ['old field name', (w) => ({ password: NEW, oldPassword: w.vol.password })],
    ['deep nesting', (w) => ({ ...good(w), newPassword: nested(40) })],
    ['huge string', (w) => ({ ...good(w), newPassword: 'x'.repeat(900_000) })],
  ] as [string, (w: World) => unknown][]
).map(([name, body]) => refusal(`PUT ${name}`, 400, 'invalid_request', 'PUT', URL, (w) => ({ cookie: w.volCookie, body: body(w) })));

// Without a session even a bad body is 401; broken JSON is still refused first, as everywhere.
const NO_SESSION: Refusal[] = (
  [
    ['no cookie', () => undefined],
    ['forged cookie', () => 'gocua_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['revoked cookie', (w) => w.revokedCookie],
  ] as [string, (w: World) => string | undefined][]
).flatMap(([name, cookie]) => [
  refusal(`${name}, good body`, 401, 'unauthenticated', 'PUT', URL, (w) => ({ cookie: cookie(w), body: good(w) })),
  refusal(`${name}, bad body`, 401, 'unauthenticated', 'PUT', URL, (w) => ({ cookie: cookie(w), body: { newPassword: 1 } })),
  refusal(`${name}, broken JSON`, 400, 'invalid_json', 'PUT', URL, (w) => ({ cookie: cookie(w), rawBody: '{' })),
]);

const OTHER_METHODS: Refusal[] = ['GET', 'POST', 'DELETE', 'PATCH'].map((method) =>
  refusal(method, 404, 'not_found', method, URL, (w) => ({ cookie: w.volCookie, ...(method === 'GET' || method === 'DELETE' ? {} : { body: good(w) }) })),
);

// Well-formed but refused by the password rule, with the rule's reason, on the
// own-password endpoint and at /users (create and patch).
const WEAK: (Refusal & { reason: string })[] = (
  [
    ['too short', 'short', 'too_short'],
    ['10 spaces', ' '.repeat(10), 'common'],
    ['common', 'password1234', 'common'],
  ] as [string, string, string][]
).flatMap(([name, password, reason]) => [
  {
    ...refusal(`own ${name}`, 400, 'weak_password', 'PUT', URL, (w) => ({ cookie: w.volCookie, body: { currentPassword: w.vol.password, newPassword: password } })),
    reason,
  },
  {
    ...refusal(`create ${name}`, 400, 'weak_password', 'POST', '/api/v1/users', (w) => ({
      cookie: w.supCookie,
      body: { username: 'new.one', password, displayName: 'New', role: 'volunteer', groups: [] },
    })),
    reason,
  },
  {
    ...refusal(`patch ${name}`, 400, 'weak_password', 'PATCH', (w) => `/api/v1/users/${w.vol.id}`, (w) => ({ cookie: w.supCookie, body: { password } })),
    reason,
  },
]);

describeBadInput('own password', (w, dialect) => {
  describeRefusals('malformed JSON, wrong content types and prototype keys are 400 invalid_json', w, INVALID_JSON);
  describeRefusals('a bad body is 400 invalid_request', w, BAD_BODIES);
  describeRefusals('no, forged or revoked cookie is 401 unauthenticated', w, NO_SESSION);
  describeRefusals('other methods on the endpoint are 404 not_found', w, OTHER_METHODS);

  describe('a weak new password is 400 weak_password with its reason, at every door', () => {
    it.each(named(WEAK))('%s', async (_, row) => {
      const res = await refuse(w, row);
      expect(res.body.error.reason, row.name).toBe(row.reason);
    });
  });

  it('fuzz: 150 random bodies never answer 5xx and never change the password without the current one', async () => {
    const passwordOf = async (id: string) =>
      (await w.s.db.kysely.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;
    const r = rng(dialect === 'sqlite' ? 0x9a55 : 0x9a56);
    const values: (() => unknown)[] = [
      () => w.vol.password,
      () => NEW,
      () => '',
      () => 'x'.repeat(r.int(0, 250)),
      () => r.int(-5, 5),
      () => null,
      () => true,
      () => [],
      () => ({}),
      () => String.fromCharCode(...Array.from({ length: r.int(1, 30) }, () => r.int(0, 0xffff))),
      () => '\ud800lonely',
    ];
    const keys = ['currentPassword', 'newPassword', 'password', 'userId', 'role', ''];
    const before = await passwordOf(w.vol.id);
    for (let i = 0; i < 150; i++) {
      const body: Record<string, unknown> = {};
      for (const key of keys) if (r.next() < (key.endsWith('Password') ? 0.8 : 0.1)) body[key] = r.pick(values)();
      // Never the right current password together with a good new one: that would succeed.
      if (body.currentPassword === w.vol.password) body.newPassword = 'short';
      const res = await w.s.request('PUT', URL, { cookie: w.volCookie, body });
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBeLessThan(500);
      expectApiError(res, res.status, res.body.error.code, `fuzz ${i}`);
      expect(['invalid_json', 'invalid_request', 'weak_password', 'wrong_password', 'too_many_attempts']).toContain(res.body.error.code);
    }
    expect(await passwordOf(w.vol.id)).toBe(before);
    // The volunteer's own session survived all of it.
    expect((await w.s.request('GET', '/api/v1/session', { cookie: w.volCookie })).status).toBe(200);
  });
});
