// @vitest-environment node
// The pull cursor never skips a row under interleaved PostgreSQL transactions.
//
// Push A takes version n in ward W and is held open before COMMIT (a test
// hook). Push B, from another device in the same ward, starts meanwhile. If B
// could take n+1 and commit first, a pull in between would see n+1, move its
// cursor past n, and never receive A's row. The ward counter lock makes B wait
// for A instead; this test proves it on real concurrent PostgreSQL connections.
//
// Pushes take the ward counter only at the end, after their records are read,
// checked and written with provisional versions (push.ts, step 3). So a push
// still at work holds up no other push of its ward, except one that touches
// the same record, which waits for that record's row instead.
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

  /** Holds the next push at `hook` until release(); resolves `held` when it is there. */
  const holdNextPush = (hook: 'beforeWardCounter' | 'afterPushWrites') => {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const gate = new Promise<void>((r) => (release = r));
    s.hooks[hook] = async () => {
      s.hooks[hook] = undefined; // only the first push waits
      holding();
      await gate;
    };
    return { held, release };
  };

  const tracked = <T>(p: Promise<T>) => {
    const t = { done: false, result: p };
    t.result = p.then((r) => {
      t.done = true;
      return r;
    });
    return t;
  };

  it('a push still working with provisional versions holds up no other push of the ward, and the pull skips nothing', async () => {
    const boxA = new Outbox();
    const boxB = new Outbox();
    await s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.create('household', createHouseholdRecord())]) });
    const start = (await pull(0)).cursor;
    const hA = createHouseholdRecord();
    const hB = createHouseholdRecord();

    const { held, release } = holdNextPush('beforeWardCounter');
    const pushA = s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.create('household', hA)]) });
    await held; // A has written its row with a provisional version, and holds its transaction open

    const rb = await s.request('POST', '/api/v1/sync/push', { cookie: cookieB, body: boxB.body([boxB.create('household', hB)]) });
    expect((rb.body as PushResponse).results[0]!.status).toBe('applied'); // B did not wait for A

    const during = await pull(start);
    expect(during.changes.map((c) => [c.id, c.version])).toEqual([[hB.id, start + 1]]);
    expect(during.cursor).toBe(start + 1);

    release();
    expect(((await pushA).body as PushResponse).results[0]!.status).toBe('applied');
    const after = await pull(during.cursor);
    expect(after.changes.map((c) => [c.id, c.version])).toEqual([[hA.id, start + 2]]); // A's row after B's, not skipped
    expect(after.cursor).toBe(start + 2);
    expect((await pull(0)).changes.every((c) => c.version > 0)).toBe(true); // no provisional version was committed
  });

  it('two pushes changing the same household at once take turns on its row: both edits land', async () => {
    const boxA = new Outbox();
    const boxB = new Outbox();
    const h = createHouseholdRecord({ headName: 'Nguyễn Văn An', povertyStatus: 'none' });
    await s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.create('household', h)]) });

    const { held, release } = holdNextPush('beforeWardCounter');
    const pushA = s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.update('household', h, { ...h, headName: 'Nguyễn Văn Bình' })]) });
    await held; // A has read, merged and written the household, not committed
    const pushB = tracked(s.request('POST', '/api/v1/sync/push', { cookie: cookieB, body: boxB.body([boxB.update('household', h, { ...h, povertyStatus: 'near_poor' })]) }));
    await new Promise((r) => setTimeout(r, 300));
    expect(pushB.done).toBe(false); // B waits for the household's row, not merging over A's uncommitted write

    release();
    const [ra, rb] = await Promise.all([pushA, pushB.result]);
    expect((ra.body as PushResponse).results[0]).toEqual({ seq: 2, status: 'applied' });
    expect((rb.body as PushResponse).results[0]).toEqual({ seq: 1, status: 'applied' });
    const stored = (await pull(0)).changes.filter((c) => c.id === h.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.record).toMatchObject({ headName: 'Nguyễn Văn Bình', povertyStatus: 'near_poor' });
  });

  it('two devices creating the same record at once: the later push is run again and answered as if it came after, no error', async () => {
    const boxA = new Outbox();
    const boxB = new Outbox();
    const h = createHouseholdRecord();
    const { held, release } = holdNextPush('beforeWardCounter');
    const pushA = s.request('POST', '/api/v1/sync/push', { cookie: cookieA, body: boxA.body([boxA.create('household', h)]) });
    await held; // A has inserted the household, not committed
    // B finds no such record and inserts it too: it waits on the primary key, then collides.
    const pushB = s.request('POST', '/api/v1/sync/push', { cookie: cookieB, body: boxB.body([boxB.create('household', h)]) });
    await new Promise((r) => setTimeout(r, 300));
    release();
    const [ra, rb] = await Promise.all([pushA, pushB]);
    expect(ra.status).toBe(200);
    expect(rb.status).toBe(200);
    expect((ra.body as PushResponse).results[0]!.status).toBe('applied');
    expect((rb.body as PushResponse).lastAppliedSeq).toBe(1);
    expect((await pull(0)).changes.filter((c) => c.id === h.id)).toHaveLength(1);
    // B is answered exactly as a device sending the same create afterwards is.
    const boxC = new Outbox();
    const rc = await s.request('POST', '/api/v1/sync/push', { cookie: cookieB, body: boxC.body([boxC.create('household', h)]) });
    expect((rb.body as PushResponse).results).toEqual((rc.body as PushResponse).results);
  });
});
