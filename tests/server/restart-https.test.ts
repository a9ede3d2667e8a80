// @vitest-environment node
// The test helper can stop and restart a server on the same port and database
// (the device-engine suite relies on it), and HTTPS serving marks the cookie Secure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import type { PushResponse } from '../../src/shared/protocol';

describe('restart on the same database and port', () => {
  let s: TestServer | undefined;
  afterAll(async () => {
    await s?.close();
  });

  it('keeps data, sessions and lastAppliedSeq across a hard stop', async () => {
    s = await startTestServer({ dialect: 'sqlite' });
    const u = await s.createUser({ role: 'supervisor' });
    const { cookie } = await s.login(u.username, u.password);
    const box = new Outbox();
    const body = box.body([box.create('household', createHouseholdRecord()), box.create('household', createHouseholdRecord())]);
    expect((await s.request('POST', '/api/v1/sync/push', { cookie, body })).status).toBe(200);
    const port = s.port;
    await s.stop({ force: true });
    await expect(fetch(`${s.url}/api/v1/health`)).rejects.toThrow();
    await s.restart();
    expect(s.port).toBe(port);
    const again = await s.request('POST', '/api/v1/sync/push', { cookie, body });
    expect((again.body as PushResponse).results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
  });
});

describe('HTTPS', () => {
  let s: TestServer | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves over TLS, sets a Secure session cookie and sends HSTS', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gocua-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    } catch {
      console.warn('[tests/server] openssl not available: HTTPS test skipped');
      return;
    }
    s = await startTestServer({ dialect: 'sqlite', appOptions: { https: { key: readFileSync(key), cert: readFileSync(cert) } } });
    const u = await s.createUser();
    const res = await new Promise<{ status: number; setCookie: string; hsts: unknown }>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: s!.port, path: '/api/v1/session', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
        (r) => {
          r.resume();
          resolve({ status: r.statusCode ?? 0, setCookie: String(r.headers['set-cookie'] ?? ''), hsts: r.headers['strict-transport-security'] });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ username: u.username, password: u.password }));
    });
    expect(res.status).toBe(200);
    expect(res.setCookie).toMatch(/; Secure/i);
    expect(res.setCookie).toMatch(/HttpOnly/i);
    expect(res.hsts).toBe('max-age=31536000');
  });
});
