// @vitest-environment node
// Response headers that protect the browser (HSTS, Permissions-Policy) and the
// same-origin rule for requests that change state, on SQLite and (when
// available) PostgreSQL. HSTS over a direct TLS listener is in restart-https.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { snapshot } from './bad-input/helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';

warnIfNoPostgres();

const HSTS = 'max-age=31536000';
const PERMISSIONS_POLICY = 'camera=(self), geolocation=(), microphone=()';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`headers and origin on ${dialect}`, () => {
    let s: TestServer;
    let vol: TestUser;
    let cookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      cookie = (await s.login(vol.username, vol.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const pushOne = (headers: Record<string, string>) => {
      const box = new Outbox();
      return s.request('POST', '/api/v1/sync/push', { cookie, headers, body: box.body([box.create('household', createHouseholdRecord())]) });
    };

    it.each(['/api/v1/health', '/api/v1/nothing-here', '/'])('GET %s has Permissions-Policy: camera for QR only, no geolocation or microphone', async (url) => {
      const r = await s.request('GET', url);
      expect(r.headers.get('permissions-policy')).toBe(PERMISSIONS_POLICY);
    });

    it('plain HTTP without TRUST_PROXY gets no HSTS, even when X-Forwarded-Proto claims https', async () => {
      expect((await s.request('GET', '/api/v1/health')).headers.get('strict-transport-security')).toBeNull();
      const spoofed = await s.request('GET', '/api/v1/health', { headers: { 'x-forwarded-proto': 'https' } });
      expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    });

    it.each([
      ['a foreign Origin', { origin: 'https://evil.example' }],
      ['Origin: null (a sandboxed frame or a cross-site redirect)', { origin: 'null' }],
      ['the right host on another port', { origin: 'http://127.0.0.1:1' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: cross-site with a matching Origin', { 'sec-fetch-site': 'cross-site', origin: 'SELF' }],
    ])('a push with %s is 403 forbidden and changes nothing', async (_, headers: Record<string, string>) => {
      const before = await snapshot(s);
      const r = await pushOne(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'SELF' ? s.url : v])));
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      expect(await snapshot(s)).toEqual(before);
    });

    it('sign-in and sign-out from a foreign Origin are refused too', async () => {
      const headers = { origin: 'https://evil.example' };
      const signIn = await s.request('POST', '/api/v1/session', { headers, body: { username: vol.username, password: vol.password } });
      expect(signIn.status).toBe(403);
      expect(signIn.headers.get('set-cookie')).toBeNull();
      expect((await s.request('DELETE', '/api/v1/session', { cookie, headers })).status).toBe(403);
      expect((await s.request('GET', '/api/v1/session', { cookie })).status).toBe(200);
    });

    it.each([
      ['no Origin (curl, the CLI)', {}],
      ['its own Origin', { origin: 'SELF' }],
      ['its own Origin and Sec-Fetch-Site: same-origin', { origin: 'SELF', 'sec-fetch-site': 'same-origin' }],
    ])('a push with %s is applied', async (_, headers: Record<string, string>) => {
      const r = await pushOne(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'SELF' ? s.url : v])));
      expect(r.status).toBe(200);
      expect(r.body.results[0].status).toBe('applied');
    });

    it('reads (GET) are not refused for their Origin: a foreign page cannot read the answer anyway', async () => {
      const r = await s.request('GET', '/api/v1/session', { cookie, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      expect(r.status).toBe(200);
    });

    it("compares Origin with the Host the browser used: the Vite dev server's proxy keeps it", async () => {
      // `npm run dev` serves the page on :5173 and proxies /api to :8080 with
      // changeOrigin: false, so Host stays localhost:5173, like the Origin.
      const same = await s.app.inject({
        method: 'DELETE',
        url: '/api/v1/session',
        headers: { host: 'localhost:5173', origin: 'http://localhost:5173', 'sec-fetch-site': 'same-origin' },
      });
      expect(same.statusCode).toBe(204);
      const other = await s.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { host: 'localhost:8080', origin: 'http://localhost:5173' } });
      expect(other.statusCode).toBe(403);
    });
  });
}

describe('behind a TLS-terminating proxy (TRUST_PROXY)', () => {
  let s: TestServer | undefined;
  beforeAll(async () => {
    s = await startTestServer({ dialect: 'sqlite', appOptions: { trustProxy: true } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('sends HSTS when the proxy says the request came over https, and not over http', async () => {
    const https = await s!.request('GET', '/api/v1/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers.get('strict-transport-security')).toBe(HSTS);
    const http = await s!.request('GET', '/api/v1/health', { headers: { 'x-forwarded-proto': 'http' } });
    expect(http.headers.get('strict-transport-security')).toBeNull();
    expect((await s!.request('GET', '/api/v1/health')).headers.get('strict-transport-security')).toBeNull();
  });

  it('takes the public host from X-Forwarded-Host for the Origin check', async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gocua.hanoi.example' };
    const ok = await s!.request('DELETE', '/api/v1/session', { headers: { ...headers, origin: 'https://gocua.hanoi.example' } });
    expect(ok.status).toBe(204);
    const foreign = await s!.request('DELETE', '/api/v1/session', { headers: { ...headers, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
  });
});
