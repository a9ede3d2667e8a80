// @vitest-environment node
// Logs hold method, path, status and timing only: no bodies, usernames,
// passwords, names, phones or query strings — not on success, not on 4xx, not
// on a 500, not on a URL Fastify cannot even route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer } from './helpers';
import { ensureWardGroups } from '../../src/server/wards';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord } from '../factories/records';

warnIfNoPostgres();

const USERNAME = 'tran.thi.hoa';
const PASSWORD = 'Mật-khẩu-bí-mật-42';
const HEAD_NAME = 'Lê Văn Thắng';
const PERSON_NAME = 'Phạm Thị Nguyệt';
const PHONE = '0987 654 321';
const NEW_USER = 'vo.thi.sau';
const NEW_DISPLAY = 'Võ Thị Sáu';
// A limit value that only ever travels in a query string. Not all digits: a
// number could turn up by chance in a log line's responseTime (it did).
const QUERY_MARK = '735qzx19';

// Every secret, as typed and as JSON would escape it, and the normalised phone.
const SECRETS = [USERNAME, PASSWORD, HEAD_NAME, PERSON_NAME, PHONE, NEW_USER, NEW_DISPLAY, '0987654321', '987654321'].flatMap((v) => [
  v,
  JSON.stringify(v).slice(1, -1),
  encodeURIComponent(v),
]);

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`logging on ${dialect}`, () => {
    let s: TestServer;
    const lines: string[] = [];

    beforeAll(async () => {
      s = await startTestServer({ dialect, appOptions: { logger: true, logStream: { write: (l) => void lines.push(l) } } });
      await s.createUser({ username: USERNAME, password: PASSWORD, role: 'supervisor' });
      await ensureWardGroups(s.db, 'CUANAM', ['TDP 1', 'TDP 5']); // the groups the requests below name
    });
    afterAll(async () => {
      await s?.close();
    });

    it('never logs personal data, whatever the request', async () => {
      const { cookie } = await s.login(USERNAME, PASSWORD);
      await s.request('POST', '/api/v1/session', { body: { username: USERNAME, password: `${PASSWORD}-wrong` } });
      await s.request('POST', '/api/v1/session', { body: { username: USERNAME, password: PASSWORD, extra: HEAD_NAME } });
      await s.request('POST', '/api/v1/session', { rawBody: `{"username":"${USERNAME}",` });

      const box = new Outbox();
      const h = createHouseholdRecord({ headName: HEAD_NAME, phone: PHONE });
      const p = createPersonRecord(h.id, { fullName: PERSON_NAME, phone: PHONE });
      const pushed = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([box.create('household', h), box.create('person', p)]) });
      expect(pushed.status).toBe(200);
      // A rejected mutation and an invalid push, both carrying the names.
      const bad = box.create('household', createHouseholdRecord({ headName: HEAD_NAME, phone: 'not a phone' }));
      await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([bad]) });
      await s.request('POST', '/api/v1/sync/push', { cookie, body: { ...box.body([bad]), note: PERSON_NAME } });

      await s.request('GET', `/api/v1/sync/pull?cursor=0&limit=${QUERY_MARK.slice(0, 3)}`, { cookie });
      await s.request('GET', `/api/v1/sync/pull?cursor=0&limit=${QUERY_MARK}&name=${encodeURIComponent(PERSON_NAME)}`, { cookie });
      await s.request('GET', `/api/v1/attention?limit=${QUERY_MARK}`, { cookie });
      await s.request('GET', `/api/v1/health?who=${encodeURIComponent(USERNAME)}`);
      const created = await s.request('POST', '/api/v1/users', {
        cookie,
        body: { username: NEW_USER, password: `${PASSWORD}!`, displayName: NEW_DISPLAY, role: 'volunteer', groups: ['TDP 1'] },
      });
      expect(created.status).toBe(201);
      await s.request('PATCH', `/api/v1/users/${created.body.user.id}`, { cookie, body: { displayName: `${NEW_DISPLAY} 2`, password: PASSWORD } });
      await s.request('GET', `/api/v1/users/%zz?name=${encodeURIComponent(PERSON_NAME)}`, { cookie });
      await s.request('GET', `/api/v1/nothing?u=${encodeURIComponent(USERNAME)}`, { cookie });

      // A server bug mid-push: the 500 is logged, but without the body that caused it.
      s.hooks.afterPushWrites = async () => {
        throw new Error('simulated failure');
      };
      try {
        const box2 = new Outbox();
        const crash = await s.request('POST', '/api/v1/sync/push', {
          cookie,
          body: box2.body([box2.create('household', createHouseholdRecord({ headName: HEAD_NAME, phone: PHONE }))]),
        });
        expect(crash.status).toBe(500);
        expect(crash.body).toEqual({ error: { code: 'internal', message: expect.any(String) } });
      } finally {
        delete s.hooks.afterPushWrites;
      }
      await s.request('DELETE', '/api/v1/session', { cookie });

      const log = lines.filter((l) => !l.includes('Server listening'));
      expect(log.length).toBeGreaterThan(20);
      const all = log.join('');
      expect(all).toContain('simulated failure'); // the 500 is visible to operators
      expect(all).toContain('"statusCode":401');
      expect(all).toContain('/api/v1/sync/push');
      for (const secret of SECRETS) expect(all, secret).not.toContain(secret);
      expect(all).not.toContain(QUERY_MARK);
      expect(all).not.toContain('?');
      expect(all).not.toContain('127.0.0.1');
      expect(all).not.toMatch(/gocua_session|cookie|set-cookie/i);
      // Every request's status is logged, including the URL Fastify could not route.
      const ids = (msg: string) => new Set(log.map((l) => JSON.parse(l) as { reqId?: string; msg: string }).filter((e) => e.msg === msg).map((e) => e.reqId));
      expect(ids('request completed')).toEqual(ids('incoming request'));
      // Only the expected keys, and a request is only its method and path.
      const allowed = new Set(['level', 'time', 'pid', 'hostname', 'reqId', 'req', 'res', 'responseTime', 'msg', 'err']);
      for (const line of log) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        for (const key of Object.keys(entry)) expect(allowed.has(key), `${key} in ${line}`).toBe(true);
        if (entry.req) expect(Object.keys(entry.req as object).sort()).toEqual(['method', 'url']);
        if (entry.res) expect(Object.keys(entry.res as object)).toEqual(['statusCode']);
      }
    });
  });
}
