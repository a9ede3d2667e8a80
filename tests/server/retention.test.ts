// @vitest-environment node
// Bounded retention of what needs a human (conflicts and rejected mutations),
// on SQLite and (when available) PostgreSQL: rejected rows are stored cut to
// the schemas' limits, at most 1,000 per user, rows older than the retention
// period are pruned, and GET /attention pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import type { Mutation, PushResponse } from '../../src/shared/protocol';
import { buildApp } from '../../src/server/app';

warnIfNoPostgres();

const DAY_MS = 24 * 60 * 60 * 1000;

/** A household create the server rejects (empty house number), small. */
const badHousehold = (box: Outbox): Mutation => box.create('household', createHouseholdRecord({ address: { houseNumber: '', street: 'Hàng Bông' } }));

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`retention of conflicts and rejected mutations on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let supCookie: string;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
    });
    afterAll(async () => {
      await s?.close();
    });

    const push = async (cookie: string, box: Outbox, mutations: Mutation[]) => {
      const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(mutations) });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
      return r.body as PushResponse;
    };
    const rejectedOf = (userId: string) =>
      s.db.kysely.selectFrom('rejected_mutations').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    const newVolunteer = async () => {
      const u = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      return { user: u, cookie: (await s.login(u.username, u.password)).cookie };
    };

    it('a rejected 1 MB note is stored cut to the schema maximum, and /attention answers small', async () => {
      const { user, cookie } = await newVolunteer();
      const box = new Outbox();
      const h = createHouseholdRecord({ notes: 'ghi chu '.repeat(125_000) }) // 1,000,000 bytes, under the body limit;
      const r = await push(cookie, box, [box.create('household', h)]);
      expect(r.results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid_record', path: 'notes' } });
      const [row] = await rejectedOf(user.id);
      const fields = JSON.parse(row!.fields) as { notes: string; headName: string };
      expect(fields.notes.length).toBeLessThanOrEqual(1000);
      expect(fields.notes.startsWith('ghi chu ghi chu')).toBe(true);
      expect(fields.headName).toBe(h.headName); // what the user can fix is kept
      expect(row!.fields.length).toBeLessThan(5_000);
      const att = await s.request('GET', '/api/v1/attention', { cookie });
      expect(att.status).toBe(200);
      expect(att.body.rejected).toHaveLength(1);
      expect(JSON.stringify(att.body).length).toBeLessThan(5_000);
    });

    it('keeps at most 1,000 rejected mutations per user: the oldest go first', async () => {
      const { user, cookie } = await newVolunteer();
      const { user: other, cookie: otherCookie } = await newVolunteer();
      const otherBox = new Outbox();
      await push(otherCookie, otherBox, [badHousehold(otherBox)]);
      const box = new Outbox();
      for (const n of [500, 500, 5]) await push(cookie, box, Array.from({ length: n }, () => badHousehold(box)));
      const rows = await rejectedOf(user.id);
      expect(rows).toHaveLength(1000);
      expect(rows.map((r) => Number(r.seq)).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 6));
      expect(await rejectedOf(other.id)).toHaveLength(1); // another user's rows are not touched
    });

    it('prunes conflict and rejected rows older than 90 days when a server starts, and keeps younger ones', async () => {
      const { user, cookie } = await newVolunteer();
      const box = new Outbox();
      const h = createHouseholdRecord();
      const created = new Outbox();
      await push(supCookie, created, [created.create('household', h)]);
      // A conflict and a rejection now, and again 2 days later.
      const conflictOn = async (notes: string) => {
        const sb = new Outbox();
        await push(supCookie, sb, [sb.update('household', h, { ...h, notes: `${notes} (server)` })]);
        const r = await push(cookie, box, [box.update('household', h, { ...h, notes }), badHousehold(box)]);
        expect(r.results.map((x) => x.conflicts?.[0] ?? x.status)).toEqual(['notes', 'rejected']);
      };
      await conflictOn('Gọi trước khi đến');
      s.clock.offsetMs = 2 * DAY_MS;
      await conflictOn('Chỉ ở nhà buổi tối');
      const countOf = async () => ({
        conflicts: (await s.db.kysely.selectFrom('conflicts').select('id').where('user_id', '=', user.id).execute()).length,
        rejected: (await rejectedOf(user.id)).length,
      });
      expect(await countOf()).toEqual({ conflicts: 2, rejected: 2 });
      try {
        s.clock.offsetMs = 91 * DAY_MS;
        // Another app server starting on the same database, 91 days later.
        const starting = await buildApp({ db: s.db, now: () => new Date(Date.now() + s.clock.offsetMs) });
        await starting.ready();
        await starting.close();
        expect(await countOf()).toEqual({ conflicts: 1, rejected: 1 });
        const again = (await s.login(user.username, user.password)).cookie; // the old session has expired
        const att = await s.request('GET', '/api/v1/attention', { cookie: again });
        expect(att.body.conflicts.map((c: { clientValue: string }) => c.clientValue)).toEqual(['Chỉ ở nhà buổi tối']);
      } finally {
        s.clock.offsetMs = 0;
      }
    });

    it('/attention refuses a limit over 200, and following its cursor returns every row exactly once', async () => {
      const { cookie } = await newVolunteer();
      // A session of its own: the pruning test signs in 91 days ahead, which
      // deletes every session that would have expired by then.
      const supCookie = (await s.login(sup.username, sup.password)).cookie;
      const box = new Outbox();
      const h = createHouseholdRecord();
      await push(cookie, box, [box.create('household', h)]);
      // 7 conflicts and 12 rejections: the two lists run out on different pages.
      for (let i = 0; i < 7; i++) {
        const sb = new Outbox();
        await push(supCookie, sb, [sb.update('household', h, { ...h, notes: `server ${i}` })]);
        await push(cookie, box, [box.update('household', h, { ...h, notes: `mine ${i}` }), badHousehold(box), badHousehold(box)]);
      }
      await push(cookie, box, [badHousehold(box), badHousehold(box)]);

      expect((await s.request('GET', '/api/v1/attention?limit=201', { cookie })).status).toBe(400);
      const all = await s.request('GET', '/api/v1/attention?limit=200', { cookie });
      expect(all.body).toMatchObject({ hasMore: false });
      expect(all.body.rejected).toHaveLength(16);
      expect(all.body.conflicts).toHaveLength(7);

      const seen = { rejected: [] as string[], conflicts: [] as string[] };
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const r = await s.request('GET', `/api/v1/attention?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { cookie });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.rejected.length).toBeLessThanOrEqual(3);
        seen.rejected.push(...r.body.rejected.map((x: { id: string }) => x.id));
        seen.conflicts.push(...r.body.conflicts.map((x: { id: string }) => x.id));
        if (!r.body.hasMore) break;
        cursor = r.body.cursor;
      }
      // Every row once, newest first, as the single large page had them.
      expect(seen.rejected).toEqual(all.body.rejected.map((x: { id: string }) => x.id));
      expect(seen.conflicts).toEqual(all.body.conflicts.map((x: { id: string }) => x.id));
    });
  });
}

describe('periodic pruning', () => {
  let s: TestServer | undefined;
  afterAll(async () => {
    await s?.close();
  });

  it('also runs while the server is up, with the retention period it is given', async () => {
    s = await startTestServer({ dialect: 'sqlite', appOptions: { attentionRetention: { days: 10, everyMs: 50 } } });
    const u = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
    const { cookie } = await s.login(u.username, u.password);
    const box = new Outbox();
    await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([badHousehold(box)]) });
    const count = async () => (await s!.db.kysely.selectFrom('rejected_mutations').select('id').execute()).length;
    expect(await count()).toBe(1);
    s.clock.offsetMs = 9 * DAY_MS;
    await new Promise((r) => setTimeout(r, 200));
    expect(await count()).toBe(1);
    s.clock.offsetMs = 11 * DAY_MS;
    await expect.poll(count, { timeout: 3000, interval: 50 }).toBe(0);
  });
});
