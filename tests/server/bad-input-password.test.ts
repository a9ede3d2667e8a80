// @vitest-environment node
// Adversarial input on PUT /api/v1/session/password and on new passwords at
// /users, on SQLite and (when available) PostgreSQL. Same standard as
// bad-input.test.ts: a documented 4xx, nothing internal, nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../factories/generate';
import { DIALECTS, badInputHarness, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';

warnIfNoPostgres();

const URL = '/api/v1/session/password';

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`bad input on the password endpoints on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let vol: TestUser;
    let volCookie: string;
    let supCookie: string;
    let revokedCookie: string;
    const { expectApiError, refused, req } = badInputHarness(() => s);
    const passwordOf = async (id: string) =>
      (await s.db.kysely.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      const gone = await s.createUser({ role: 'volunteer' });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      revokedCookie = (await s.login(gone.username, gone.password)).cookie;
      await s.db.kysely.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', gone.id).execute();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('malformed JSON, wrong content types and prototype keys are 400 invalid_json', async () => {
      const malformed = ['{', '{"currentPassword": ', '[1,]', "{'a':1}", 'NaN', '{"a":1}{"b":2}', '\u0000', ''];
      for (const raw of malformed) {
        await refused(`PUT ${JSON.stringify(raw)}`, req('PUT', URL, { cookie: volCookie, rawBody: raw }), 400, 'invalid_json');
      }
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/xml']) {
        const rawBody = JSON.stringify({ currentPassword: vol.password, newPassword: 'a-brand-new-password' });
        await refused(`PUT ${ct}`, req('PUT', URL, { cookie: volCookie, rawBody, headers: { 'content-type': ct } }), 400, 'invalid_json');
      }
      for (const raw of ['{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}']) {
        await refused(`PUT ${raw}`, req('PUT', URL, { cookie: volCookie, rawBody: raw }), 400, 'invalid_json');
      }
    });

    const good = () => ({ currentPassword: vol.password, newPassword: 'a-brand-new-password' });
    const badBodies: [string, () => unknown][] = [
      ['null', () => null],
      ['array', () => [good()]],
      ['string', () => 'a-brand-new-password'],
      ['number', () => 42],
      ['empty object', () => ({})],
      ['no currentPassword', () => ({ newPassword: 'a-brand-new-password' })],
      ['no newPassword', () => ({ currentPassword: vol.password })],
      ['empty currentPassword', () => ({ ...good(), currentPassword: '' })],
      ['numeric newPassword', () => ({ ...good(), newPassword: 12345678901 })],
      ['null newPassword', () => ({ ...good(), newPassword: null })],
      ['array currentPassword', () => ({ ...good(), currentPassword: [vol.password] })],
      ['operator object', () => ({ ...good(), currentPassword: { $ne: null } })],
      ['newPassword 201 characters', () => ({ ...good(), newPassword: 'p'.repeat(201) })],
      ['currentPassword 201 characters', () => ({ ...good(), currentPassword: 'p'.repeat(201) })],
      ['NUL in newPassword', () => ({ ...good(), newPassword: 'a-brand-new\u0000password' })],
      ['NUL in currentPassword', () => ({ ...good(), currentPassword: `${vol.password}\u0000` })],
      ['extra userId', () => ({ ...good(), userId: sup.id })],
      ['extra username', () => ({ ...good(), username: sup.username })],
      ['old field name', () => ({ password: 'a-brand-new-password', oldPassword: vol.password })],
      ['deep nesting', () => ({ ...good(), newPassword: nested(40) })],
      ['huge string', () => ({ ...good(), newPassword: 'x'.repeat(900_000) })],
    ];

    it.each(badBodies)('%s is 400 invalid_request and changes nothing', async (label, body) => {
      await refused(label, req('PUT', URL, { cookie: volCookie, body: body() }), 400, 'invalid_request');
    });

    it.each([
      ['no cookie', () => undefined],
      ['forged cookie', () => 'gocua_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['revoked cookie', () => revokedCookie],
    ])('%s is 401 unauthenticated (malformed JSON is refused first, as everywhere)', async (label, cookie) => {
      await refused(`${label} good body`, req('PUT', URL, { cookie: cookie(), body: good() }), 401, 'unauthenticated');
      await refused(`${label} bad body`, req('PUT', URL, { cookie: cookie(), body: { newPassword: 1 } }), 401, 'unauthenticated');
      await refused(`${label} broken JSON`, req('PUT', URL, { cookie: cookie(), rawBody: '{' }), 400, 'invalid_json');
    });

    it.each(['GET', 'POST', 'DELETE', 'PATCH'])('%s on the endpoint is 404 not_found', async (method) => {
      await refused(method, req(method, URL, { cookie: volCookie, ...(method === 'GET' || method === 'DELETE' ? {} : { body: good() }) }), 404, 'not_found');
    });

    it('a weak new password is 400 weak_password with its reason, at every door', async () => {
      const cases: [string, string, string][] = [
        ['too short', 'short', 'too_short'],
        ['10 spaces', ' '.repeat(10), 'common'],
        ['common', 'password1234', 'common'],
      ];
      for (const [label, password, reason] of cases) {
        const own = await refused(`own ${label}`, req('PUT', URL, { cookie: volCookie, body: { currentPassword: vol.password, newPassword: password } }), 400, 'weak_password');
        expect(own.body.error.reason).toBe(reason);
        const create = await refused(
          `create ${label}`,
          req('POST', '/api/v1/users', { cookie: supCookie, body: { username: 'new.one', password, displayName: 'New', role: 'volunteer', groups: [] } }),
          400,
          'weak_password',
        );
        expect(create.body.error.reason).toBe(reason);
        const patch = await refused(`patch ${label}`, req('PATCH', `/api/v1/users/${vol.id}`, { cookie: supCookie, body: { password } }), 400, 'weak_password');
        expect(patch.body.error.reason).toBe(reason);
      }
    });

    it('fuzz: 150 random bodies never answer 5xx and never change the password without the current one', async () => {
      const r = rng(dialect === 'sqlite' ? 0x9a55 : 0x9a56);
      const values: (() => unknown)[] = [
        () => vol.password,
        () => 'a-brand-new-password',
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
      const before = await passwordOf(vol.id);
      for (let i = 0; i < 150; i++) {
        const body: Record<string, unknown> = {};
        for (const key of keys) if (r.next() < (key.endsWith('Password') ? 0.8 : 0.1)) body[key] = r.pick(values)();
        // Never the right current password together with a good new one: that would succeed.
        if (body.currentPassword === vol.password) body.newPassword = 'short';
        const res = await s.request('PUT', URL, { cookie: volCookie, body });
        expect(res.status, JSON.stringify(body).slice(0, 200)).toBeLessThan(500);
        expectApiError(res, res.status, res.body.error.code, `fuzz ${i}`);
        expect(['invalid_json', 'invalid_request', 'weak_password', 'wrong_password', 'too_many_attempts']).toContain(res.body.error.code);
      }
      expect(await passwordOf(vol.id)).toBe(before);
      // The volunteer's own session survived all of it.
      expect((await s.request('GET', '/api/v1/session', { cookie: volCookie })).status).toBe(200);
    });
  });
}
