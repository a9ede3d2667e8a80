// @vitest-environment node
// The pull cursor never skips a row under interleaved PostgreSQL transactions.
//
// Push A takes version n in ward W and is held open before COMMIT (a test
// hook). Push B, from another device in the same ward, starts meanwhile. If B
// could take n+1 and commit first, a pull in between would see n+1, move its
// cursor past n, and never receive A's row. The ward counter lock makes B wait
// for A instead; this test proves it on real concurrent PostgreSQL connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, startTestServer, warnIfNoPostgres, type TestServer } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord } from '../factories/records';
import type { PullResponse, PushResponse } from '../../src/shared/protocol';

warnIfNoPostgres();

describe.skipIf(!TEST_DATABASE_URL)('pull cursor under interleaved PostgreSQL transactions', () => {
  let s: TestServer;
  let cookieA: string;
  let cookieB: string;
  let cookieSup: string;

  beforeAll(async () => {
    s = await startTestServer({ dialect: 'postgres' });
    const a = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
    const b = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
    const sup = await s.createUser({ role: 'supervisor' });
    cookieA = (await s.login(a.username, a.password)).cookie;
    cookieB = (await s.login(b.username, b.password)).cookie;
    cookieSup = (await s.login(sup.username, sup.password)).cookie;
  });
  afterAll(async () => {
    await s?.close();
  });

  const pull = async (cursor: number) =>
    (await s.request('GET', `/api/v1/sync/pull?cursor=${cursor}&limit=1000`, { cookie: cookieSup })).body as PullResponse;

  it('a pull between two pushes never moves past an uncommitted lower version', async () => {
    const boxA = new Outbox();
    const boxB = new Outbox();
    // Warm up: the ward's counter row must already exist, or creating it would
    // serialise the two pushes by itself and hide a missing counter lock.
    await s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.create('household', createHouseholdRecord())]) });
    const start = (await pull(0)).cursor;
    expect(start).toBeGreaterThan(0);
    const hA = createHouseholdRecord();
    const hB = createHouseholdRecord();

    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const gate = new Promise<void>((r) => (release = r));
    s.hooks.afterPushWrites = async () => {
      s.hooks.afterPushWrites = undefined; // only push A waits
      holding();
      await gate;
    };

    const pushA = s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.create('household', hA)]) });
    await held; // A has written its row and holds its transaction open

    let bDone = false;
    const pushB = s.request('POST', '/api/v1/sync/push', { cookie: cookieB, body: boxB.body([boxB.create('household', hB)]) }).then((r) => {
      bDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(bDone).toBe(false); // B waits for A's ward lock instead of committing first

    const during = await pull(start);
    expect(during.changes).toEqual([]);
    expect(during.cursor).toBe(start); // not advanced past A's uncommitted version

    release();
    const [ra, rb] = await Promise.all([pushA, pushB]);
    expect((ra.body as PushResponse).results[0]!.status).toBe('applied');
    expect((rb.body as PushResponse).results[0]!.status).toBe('applied');

    const after = await pull(during.cursor);
    expect(after.changes.map((c) => c.id)).toEqual([hA.id, hB.id]);
    expect(after.changes.map((c) => c.version)).toEqual([start + 1, start + 2]);
    expect(after.cursor).toBe(start + 2);
  });

  it('many concurrent pushes in one ward commit versions without holes a pull could skip', async () => {
    const cursors: number[] = [];
    const seen = new Set<string>();
    let cursor = (await pull(0)).cursor;
    const boxes = Array.from({ length: 8 }, () => new Outbox());
    const ids: string[] = [];
    const pushes = boxes.map(async (box, i) => {
      for (let k = 0; k < 5; k++) {
        const h = createHouseholdRecord();
        ids.push(h.id);
        await s.request('POST', '/api/v1/sync/push', { cookie: i % 2 ? cookieA : cookieB, body: box.body([box.create('household', h)]) });
      }
    });
    let finished = false;
    const all = Promise.all(pushes).then(() => (finished = true));
    while (!finished) {
      const page = await pull(cursor);
      for (const c of page.changes) seen.add(c.id);
      cursors.push(page.cursor);
      cursor = page.cursor;
    }
    await all;
    const last = await pull(cursor);
    for (const c of last.changes) seen.add(c.id);
    for (const id of ids) expect(seen.has(id), id).toBe(true);
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
  });
});
