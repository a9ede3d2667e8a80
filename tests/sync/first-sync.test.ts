// @vitest-environment node
// A first sync bigger than a page, from the real server (SQLite and, when
// available, PostgreSQL) into a fresh device database through the app's own
// pullAll: pages of PULL_PAGE_LIMIT, every record of the volunteer's group
// stored once and nothing of another group, the cursor at the ward's last
// version, and a pull right after brings nothing.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from '../server/helpers';
import { ensureWardGroups } from '../../src/server/wards';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, freshDb } from '../factories/records';
import { pullAll, PULL_PAGE_LIMIT } from '../../src/app/sync/pull';
import { pullCursor } from '../../src/app/db/pulledPages';
import { MAX_MUTATIONS_PER_PUSH } from '../../src/shared/protocol';

warnIfNoPostgres();

const MINE = 1_600; // households of TDP 1, each with one person: 3,200 records, four pages
const OTHERS = 300; // households of TDP 2, pushed between them

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`first sync on ${dialect}`, () => {
    let s: TestServer;
    let vol: TestUser;
    const mine = new Set<string>();

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      await ensureWardGroups(s.db, 'CUANAM', ['TDP 1', 'TDP 2']);
      const sup = await s.createUser({ role: 'supervisor', groups: ['TDP 1', 'TDP 2'] });
      vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      const { cookie } = await s.login(sup.username, sup.password);
      const records: Array<['household' | 'person', { id: string; createdAt: string }]> = [];
      for (let i = 0; i < MINE; i++) {
        const h = createHouseholdRecord({ group: 'TDP 1' });
        const p = createPersonRecord(h.id);
        records.push(['household', h], ['person', p]);
        mine.add(h.id).add(p.id);
        if (i % 6 === 0 && i / 6 < OTHERS) records.push(['household', createHouseholdRecord({ group: 'TDP 2' })]);
      }
      const box = new Outbox();
      for (let i = 0; i < records.length; i += MAX_MUTATIONS_PER_PUSH) {
        const batch = records.slice(i, i + MAX_MUTATIONS_PER_PUSH).map(([entity, r]) => box.create(entity, r));
        const res = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(batch) });
        expect(res.status).toBe(200);
        expect((res.body as { results: Array<{ status: string }> }).results.filter((r) => r.status !== 'applied')).toEqual([]);
      }
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    it('pulls every record of the volunteer’s group in pages of PULL_PAGE_LIMIT, once, and nothing else', async () => {
      const { cookie } = await s.login(vol.username, vol.password);
      const limits: string[] = [];
      const fetchImpl = (async (input: string, init: RequestInit = {}) => {
        limits.push(new URL(input).searchParams.get('limit') ?? '');
        const headers = new Headers(init.headers);
        headers.set('cookie', cookie);
        return fetch(input, { ...init, headers });
      }) as typeof fetch;
      const db = freshDb('first-sync');
      expect(await pullAll(db, { baseUrl: s.url, fetchImpl }, undefined, vol.id)).toEqual({ ok: true, pulled: mine.size });
      expect(limits.length).toBe(Math.ceil(mine.size / PULL_PAGE_LIMIT));
      expect(new Set(limits)).toEqual(new Set([String(PULL_PAGE_LIMIT)]));
      const stored = [...(await db.households.toCollection().primaryKeys()), ...(await db.people.toCollection().primaryKeys())] as string[];
      expect(stored.length).toBe(mine.size);
      expect(new Set(stored)).toEqual(mine);
      const counter = await s.db.kysely.selectFrom('ward_counters').select('seq').where('ward_code', '=', 'CUANAM').executeTakeFirstOrThrow();
      expect(await pullCursor(db)).toBe(Number(counter.seq));
      // Nothing new: one request, nothing stored, the cursor where it was.
      limits.length = 0;
      expect(await pullAll(db, { baseUrl: s.url, fetchImpl }, undefined, vol.id)).toEqual({ ok: true, pulled: 0 });
      expect(limits.length).toBe(1);
      expect(await pullCursor(db)).toBe(Number(counter.seq));
      db.close();
    }, 60_000);
  });
}
