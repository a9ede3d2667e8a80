// @vitest-environment node
// Compressed bodies both ways, on SQLite and (when available) PostgreSQL:
// a gzipped push is applied exactly as the same push in plain JSON, a replay
// of it is all duplicates, plain JSON keeps working, and the answers are
// gzipped for a client that accepts it. Refusals of bad gzip (corrupt,
// truncated, zip bombs, other codings) are in bad-input/transport.test.ts.
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createVisitRecord } from '../factories/records';
import { ensureWardGroups } from '../../src/server/wards';
import type { PushResponse } from '../../src/shared/protocol';

warnIfNoPostgres();

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`compressed bodies on ${dialect}`, () => {
    let s: TestServer;
    let vol: TestUser;
    let cookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      await ensureWardGroups(s.db, 'CUANAM', ['TDP 1']);
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      cookie = (await s.login(vol.username, vol.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const gzipped = (body: unknown) => gzipSync(Buffer.from(JSON.stringify(body)));
    const pushGzip = (body: unknown, headers: Record<string, string> = {}) =>
      s.request('POST', '/api/v1/sync/push', { cookie, rawBody: gzipped(body), headers: { 'content-encoding': 'gzip', ...headers } });
    const stored = async (ids: string[]): Promise<Record<string, unknown>[]> =>
      (await s.db.kysely.selectFrom('records').select(['id', 'data']).where('id', 'in', ids).orderBy('id').execute()).map((r) => JSON.parse(String(r.data)) as Record<string, unknown>);

    it('applies a gzipped push exactly as the same push in plain JSON, and a gzipped replay is all duplicates', async () => {
      const plainBox = new Outbox();
      const gzipBox = new Outbox();
      const h1 = createHouseholdRecord({ notes: 'Bà cụ nghe kém, cần nói to và chậm.' });
      const h2 = createHouseholdRecord({ notes: 'Bà cụ nghe kém, cần nói to và chậm.' });
      const plain = await s.request('POST', '/api/v1/sync/push', { cookie, body: plainBox.body([plainBox.create('household', h1), plainBox.create('visit', createVisitRecord(h1.id))]) });
      const body = gzipBox.body([gzipBox.create('household', h2), gzipBox.create('visit', createVisitRecord(h2.id))]);
      const zipped = await pushGzip(body);
      expect(plain.status).toBe(200);
      expect(zipped.status).toBe(200);
      expect((zipped.body as PushResponse).results.map((r) => r.status)).toEqual(['applied', 'applied']);
      expect((plain.body as PushResponse).results.map((r) => r.status)).toEqual(['applied', 'applied']);
      const [a] = await stored([h1.id]);
      const [b] = await stored([h2.id]);
      expect({ ...b, id: h1.id, createdAt: a!.createdAt, updatedAt: a!.updatedAt, consent: a!.consent }).toEqual(a);

      const records = await s.db.kysely.selectFrom('records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      const replay = await pushGzip(body);
      expect(replay.status).toBe(200);
      expect((replay.body as PushResponse).results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(await s.db.kysely.selectFrom('records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).toEqual(records);
    });

    it.each(['gzip', 'GZIP', 'x-gzip', ' gzip '])('reads Content-Encoding "%s" as gzip', async (encoding) => {
      const box = new Outbox();
      const h = createHouseholdRecord();
      const r = await pushGzip(box.body([box.create('household', h)]), { 'content-encoding': encoding });
      expect(r.status).toBe(200);
      expect(await stored([h.id])).toHaveLength(1);
    });

    it('reads "identity" and no Content-Encoding as plain JSON (protocol 1 devices)', async () => {
      const box = new Outbox();
      const h1 = createHouseholdRecord();
      const h2 = createHouseholdRecord();
      const a = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([box.create('household', h1)]), headers: { 'content-encoding': 'identity' } });
      const b = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([box.create('household', h2)]) });
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(await stored([h1.id, h2.id])).toHaveLength(2);
    });

    it('takes a gzipped push whose plain JSON is just under the 1 MiB limit, though not one just over it', async () => {
      const box = new Outbox();
      const h = createHouseholdRecord();
      const base = box.body([box.create('household', h)]);
      const pad = (n: number) => ({ ...base, mutations: [{ ...base.mutations[0]!, fields: { ...base.mutations[0]!.fields, notes: 'a'.repeat(n) } }] });
      const size = (n: number) => Buffer.byteLength(JSON.stringify(pad(n)));
      const fits = pad(1024 * 1024 - size(0));
      expect(Buffer.byteLength(JSON.stringify(fits))).toBe(1024 * 1024);
      const ok = await pushGzip(fits);
      // The whole body fits; the record itself is then refused by its schema (notes are short), per mutation.
      expect(ok.status).toBe(200);
      expect((ok.body as PushResponse).results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid_record' } });
      const over = await pushGzip(pad(1024 * 1024 - size(0) + 1));
      expect(over.status).toBe(413);
      expect(over.body).toMatchObject({ error: { code: 'payload_too_large', maxBytes: 1024 * 1024 } });
    });

    it('gzips the push answer for a client that accepts gzip, and not for one that does not', async () => {
      const box = new Outbox();
      const body = box.body(Array.from({ length: 60 }, () => box.create('household', createHouseholdRecord())));
      const replayBody = JSON.stringify(body);
      const first = await s.request('POST', '/api/v1/sync/push', { cookie, rawBody: replayBody });
      expect(first.status).toBe(200);
      // Node's fetch always asks for gzip and inflates it; a raw request shows the wire.
      const wire = async (acceptEncoding: string) => {
        const http = await import('node:http');
        const url = new URL(`${s.url}/api/v1/sync/push`);
        return new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
          const req = http.request(
            { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { cookie, 'content-type': 'application/json', 'accept-encoding': acceptEncoding, 'content-length': Buffer.byteLength(replayBody) } },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
            },
          );
          req.on('error', reject);
          req.end(replayBody);
        });
      };
      const zipped = await wire('gzip');
      expect(zipped.encoding).toBe('gzip');
      const answer = JSON.parse(gunzipSync(zipped.bytes).toString('utf8')) as PushResponse;
      expect(answer.results).toHaveLength(60);
      expect(answer.results.every((r) => r.status === 'duplicate')).toBe(true);
      const plain = await wire('identity');
      expect(plain.encoding).toBeUndefined();
      expect(JSON.parse(plain.bytes.toString('utf8'))).toEqual(answer);
      expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
    });
  });
}
