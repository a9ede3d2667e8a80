// @vitest-environment node
// Bad input at the session boundary: malformed sign-ins, a disabled account,
// and cookies that are missing, forged, garbage, revoked, expired or belong to
// a disabled user. None gets in, and none changes the database, on SQLite and
// (when available) PostgreSQL.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeBadInput, describeRefusals, expectApiError, named, refusal, refuse, snapshot, type Refusal, type World } from './helpers';

const DAY = 24 * 60 * 60 * 1000;

const BAD_SIGN_INS: Refusal[] = (
  [
    ['{}', () => ({})],
    ['no password', (w) => ({ username: w.sup.username })],
    ['no username', (w) => ({ password: w.sup.password })],
    ['numbers', () => ({ username: 1, password: 2 })],
    ['username in an array', (w) => ({ username: [w.sup.username], password: w.sup.password })],
    ['query operators', () => ({ username: { $ne: null }, password: { $ne: null } })],
    ['empty strings', () => ({ username: '', password: '' })],
    ['an extra role field', (w) => ({ username: w.sup.username, password: w.sup.password, role: 'supervisor' })],
    ['NUL in the username', () => ({ username: 'a\u0000b', password: 'password1' })],
    ['NUL in the password', (w) => ({ username: w.sup.username, password: 'pass\u0000word' })],
  ] as [string, (w: World) => unknown][]
).map(([name, body]) => refusal(`sign-in with ${name}`, 400, 'invalid_request', 'POST', '/api/v1/session', (w) => ({ body: body(w) })));

/** Cookies that must not authenticate anyone. */
const BAD_COOKIES: [string, (w: World) => string | undefined][] = [
  ['none', () => undefined],
  ['empty', () => 'gocua_session='],
  ['forged', () => `gocua_session=${randomBytes(32).toString('base64url')}`],
  ['too long', () => `gocua_session=${'A'.repeat(5000)}`],
  ['garbage', () => 'gocua_session=%zz%00%ff;;=;gocua_session'],
  ['other name', (w) => `session=${w.supCookie.split('=')[1]}`],
  ['case', (w) => `GOCUA_SESSION=${w.supCookie.split('=')[1]}`],
  ['revoked', (w) => w.revokedCookie],
  ['disabled user', (w) => w.disabledCookie],
];

/** Every endpoint that needs a session, with a body it would otherwise accept. */
const AUTHENTICATED: { route: string; method: string; url: string | ((w: World) => string); body?: unknown }[] = [
  { route: 'GET /api/v1/session', method: 'GET', url: '/api/v1/session' },
  { route: 'POST /api/v1/sync/push', method: 'POST', url: '/api/v1/sync/push', body: { protocol: 1, clientId: 'abcdefgh-cookie', mutations: [] } },
  { route: 'GET /api/v1/sync/pull', method: 'GET', url: '/api/v1/sync/pull' },
  {
    route: 'POST /api/v1/users',
    method: 'POST',
    url: '/api/v1/users',
    body: { username: 'nobody', password: 'password1', displayName: 'X', role: 'volunteer', groups: [] },
  },
  { route: 'GET /api/v1/users', method: 'GET', url: '/api/v1/users' },
  { route: 'PATCH /api/v1/users/:id', method: 'PATCH', url: (w) => `/api/v1/users/${w.target.id}`, body: { disabled: true } },
  { route: 'POST /api/v1/users/:id/revoke', method: 'POST', url: (w) => `/api/v1/users/${w.target.id}/revoke` },
  { route: 'GET /api/v1/attention', method: 'GET', url: '/api/v1/attention' },
  { route: 'GET /api/v1/reports/activity', method: 'GET', url: '/api/v1/reports/activity' },
  { route: 'GET /api/v1/reports/doors', method: 'GET', url: '/api/v1/reports/doors?group=TDP%201' },
];

const UNAUTHENTICATED = BAD_COOKIES.flatMap(([name, cookie]) =>
  AUTHENTICATED.map((e) => refusal(`${name} cookie: ${e.route}`, 401, 'unauthenticated', e.method, e.url, (w) => ({ cookie: cookie(w), body: e.body }))),
);

// Expired: 31 days without use. The session row is not revived.
const EXPIRED = AUTHENTICATED.map((e) =>
  refusal(`expired cookie: ${e.route}`, 401, 'unauthenticated', e.method, e.url, (w) => ({ cookie: w.volCookie, body: e.body })),
);

describeBadInput('sign-in and cookies', (w) => {
  describeRefusals('sign-in refuses bad credentials shapes, extra fields and NUL bytes without touching the database', w, BAD_SIGN_INS);

  it('a disabled account cannot sign in: the failure is recorded, as documented, and no session is made', async () => {
    const sessions = await w.s.db.kysely.selectFrom('sessions').select('token_sha256').execute();
    const r = await w.s.request('POST', '/api/v1/session', { body: { username: w.disabled.username, password: w.disabled.password } });
    expectApiError(r, 401, 'invalid_credentials', 'disabled login');
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await w.s.db.kysely.selectFrom('sessions').select('token_sha256').execute()).toHaveLength(sessions.length);
  });

  describeRefusals('missing, forged, garbage, revoked and disabled-user cookies are 401 on every authenticated endpoint', w, UNAUTHENTICATED);

  describe('a cookie unused for 31 days is 401 on every authenticated endpoint', () => {
    it.each(named(EXPIRED))('%s', async (_, row) => {
      w.s.clock.offsetMs = 31 * DAY;
      try {
        await refuse(w, row);
      } finally {
        w.s.clock.offsetMs = 0;
      }
    });
  });

  describe('signing out with a junk cookie changes nothing and always succeeds', () => {
    it.each(BAD_COOKIES)('%s cookie', async (name, cookie) => {
      const before = await snapshot(w.s);
      const r = await w.s.request('DELETE', '/api/v1/session', { cookie: name === 'revoked' || name === 'disabled user' ? undefined : cookie(w) });
      expect(r.status, name).toBe(204);
      expect(await snapshot(w.s), name).toEqual(before);
    });
  });
});
