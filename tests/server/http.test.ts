// @vitest-environment node
// Health, the error contract (invalid_json, payload_too_large,
// unsupported_protocol, never a 500 on bad input), headers, logs and static serving.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import { CONTENT_SECURITY_POLICY } from '../../src/server/app';

warnIfNoPostgres();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`HTTP contract on ${dialect}`, () => {
    let s: TestServer;
    let cookie: string;
    const logs: string[] = [];
    const username = 'canh.supervisor';
    const password = 'secret-password-xyz';

    beforeAll(async () => {
      s = await startTestServer({ dialect, appOptions: { logger: true, logStream: { write: (l) => void logs.push(l) } } });
      await s.createUser({ username, password, role: 'supervisor' });
      cookie = (await s.login(username, password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    it('GET /api/v1/health reports the database', async () => {
      const r = await s.request('GET', '/api/v1/health');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ status: 'ok', db: dialect, version: expect.any(String) });
      expect(r.headers.get('date')).toBeTruthy(); // the device measures clock skew from it
    });

    it('malformed JSON gives 400 invalid_json', async () => {
      for (const url of ['/api/v1/session', '/api/v1/sync/push']) {
        const r = await s.request('POST', url, { cookie, rawBody: '{"protocol": 1, "clientId": ' });
        expect(r.status).toBe(400);
        expect(r.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
      }
      const empty = await s.request('POST', '/api/v1/session', { rawBody: '' });
      expect(empty.body.error.code).toBe('invalid_json');
      const poisoned = await s.request('POST', '/api/v1/sync/push', { cookie, rawBody: '{"__proto__": {"x": 1}}' });
      expect(poisoned.status).toBe(400);
      const text = await s.request('POST', '/api/v1/session', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(400);
      expect(text.body.error.code).toBe('invalid_json');
    });

    it('more than 500 mutations gives 413 payload_too_large, and nothing is stored', async () => {
      const box = new Outbox();
      const mutations = Array.from({ length: 501 }, () => box.create('household', createHouseholdRecord()));
      const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(mutations) });
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('payload_too_large');
      expect(await s.db.kysely.selectFrom('clients').select('client_id').where('client_id', '=', box.clientId).executeTakeFirst()).toBeUndefined();
    });

    it('a body over 1 MB gives 413 payload_too_large', async () => {
      const box = new Outbox();
      const big = createHouseholdRecord({ notes: 'x'.repeat(900) });
      const mutations = Array.from({ length: 450 }, () => box.create('household', { ...big, id: createHouseholdRecord().id }));
      const raw = JSON.stringify(box.body(mutations)) + ' '.repeat(1024 * 1024);
      const r = await s.request('POST', '/api/v1/sync/push', { cookie, rawBody: raw });
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('payload_too_large');
    });

    it('an unknown protocol gives 400 unsupported_protocol', async () => {
      const box = new Outbox();
      const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: { ...box.body([]), protocol: 2 } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('unsupported_protocol');
    });

    it('invalid bodies give 400 invalid_request with zod paths, never 500', async () => {
      const box = new Outbox();
      const r = await s.request('POST', '/api/v1/sync/push', {
        cookie,
        body: { protocol: 1, clientId: box.clientId, mutations: [{ seq: 0, entity: 'cat', id: 'x', op: 'upsert', fields: {}, at: 'now' }] },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      expect(r.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
        expect.arrayContaining(['mutations.0.seq', 'mutations.0.entity', 'mutations.0.id', 'mutations.0.at']),
      );
      const junk: unknown[] = [null, [], 'text', 42, { protocol: '1' }, { protocol: 1, clientId: 5, mutations: {} }, { mutations: 'x'.repeat(10) }];
      for (const body of junk) {
        for (const url of ['/api/v1/sync/push', '/api/v1/session', '/api/v1/users']) {
          const res = await s.request('POST', url, { cookie, rawBody: JSON.stringify(body) });
          expect(res.status, `${url} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(typeof res.body.error.code).toBe('string');
        }
      }
      const dupSeq = await s.request('POST', '/api/v1/sync/push', {
        cookie,
        body: box.body([box.create('household', createHouseholdRecord()), { ...box.create('household', createHouseholdRecord()), seq: 1 }]),
      });
      expect(dupSeq.status).toBe(400);
    });

    it('unauthenticated requests get 401, unknown API routes 404, all as JSON with security headers', async () => {
      const r = await s.request('POST', '/api/v1/sync/push', { body: { protocol: 1, clientId: 'abcdefgh', mutations: [] } });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
      const nf = await s.request('GET', '/api/v1/nothing-here');
      expect(nf.status).toBe(404);
      expect(nf.body.error.code).toBe('not_found');
      for (const res of [r, nf]) {
        expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('logs carry method, path and status but no bodies, usernames, passwords or query strings', async () => {
      await s.request('GET', '/api/v1/sync/pull?cursor=0&limit=10', { cookie });
      await s.request('POST', '/api/v1/session', { body: { username, password: 'wrong-but-logged?' } });
      const all = logs.filter((l) => !l.includes('Server listening')).join('');
      expect(all).toContain('/api/v1/sync/pull');
      expect(all).toContain('"statusCode":401');
      expect(all).not.toContain(username);
      expect(all).not.toContain('wrong-but-logged');
      expect(all).not.toContain(password);
      expect(all).not.toContain('cursor=');
      expect(all).not.toContain('127.0.0.1');
    });
  });
}

describe('static serving of dist/', () => {
  let s: TestServer;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'gocua-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Gõ Cửa</title>');
    writeFileSync(path.join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    writeFileSync(path.join(dist, 'manifest.webmanifest'), '{}');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(5000))});`);
    s = await startTestServer({ dialect: 'sqlite', appOptions: { distDir: dist } });
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('caches hashed assets immutably and never caches index.html, sw.js or the manifest', async () => {
    const asset = await fetch(`${s.url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    for (const p of ['/', '/index.html', '/sw.js', '/manifest.webmanifest']) {
      const r = await fetch(`${s.url}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('cache-control'), p).toBe('no-cache');
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('falls back to index.html for app routes, but not for /api or missing assets', async () => {
    const page = await fetch(`${s.url}/households/123`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Gõ Cửa');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${s.url}/assets/gone-999.js`)).status).toBe(404);
    const api = await fetch(`${s.url}/api/v1/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
