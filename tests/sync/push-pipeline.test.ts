// @vitest-environment node
// The engine reads the next batch while one is in flight and stores an answer
// while the next batch is on its way; against the real server (SQLite), every
// record still arrives exactly once, in contiguous seqs, whatever is lost.
import 'fake-indexeddb/auto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { serverWithLanAndMinh, signedInDevice } from './harness';
import { createHousehold } from '../../src/app/db/repo';
import { createHouseholdInput } from '../factories/records';
import type { PushRequest } from '../../src/shared/protocol';

const seqsOf = (init: RequestInit) => {
  const raw = init.body instanceof Uint8Array ? gunzipSync(init.body).toString('utf8') : String(init.body);
  return (JSON.parse(raw) as PushRequest).mutations.map((m) => m.seq);
};

describe('pipelined push', () => {
  const world = serverWithLanAndMinh();

  /** Queues `n` new households; returns their ids. */
  const queue = async (d: Awaited<ReturnType<typeof signedInDevice>>, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await createHousehold(d.db, d.actor, createHouseholdInput({ address: { houseNumber: String(i + 1), street: 'Hàng Bông' } }));
      if (r.ok) ids.push(r.record.id);
    }
    return ids;
  };
  const onServer = async (ids: string[]) => (await world.s.db.kysely.selectFrom('records').select('id').where('id', 'in', ids).execute()).length;

  it('1,100 queued records go in three contiguous batches of at most 500 and are each stored once', async () => {
    const d = await signedInDevice(world.s, world.lan);
    const ids = await queue(d, 1100);
    const sent: number[][] = [];
    d.fault = async (input, init, real) => {
      if (input.includes('/sync/push')) sent.push(seqsOf(init));
      return real(input, init);
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: true, pushed: 1100 });
    expect(sent.map((s) => s.length)).toEqual([500, 500, 100]);
    expect(sent.flat()).toEqual(Array.from({ length: 1100 }, (_, i) => i + 1));
    expect(await d.db.outbox.count()).toBe(0);
    expect(await onServer(ids)).toBe(1100);
  });

  it('when the answer to the second batch is lost, the first stays acknowledged and the rest is resent once, as duplicates where applied', async () => {
    const d = await signedInDevice(world.s, world.lan);
    const ids = await queue(d, 1100);
    let pushes = 0;
    d.fault = async (input, init, real) => {
      if (!input.includes('/sync/push')) return real(input, init);
      pushes++;
      const res = await real(input, init); // the server applies it
      if (pushes === 2) throw new TypeError('network lost'); // its answer never arrives
      return res;
    };
    expect(await d.engine.syncNow()).toEqual({ ok: false, error: 'offline' });
    expect(await d.db.outbox.count()).toBe(600); // the first answer was stored; the second was never seen
    const resent: number[][] = [];
    d.fault = async (input, init, real) => {
      if (input.includes('/sync/push')) resent.push(seqsOf(init));
      return real(input, init);
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: true, pushed: 600 });
    expect(resent.flat()).toEqual(Array.from({ length: 600 }, (_, i) => i + 501));
    expect(await d.db.outbox.count()).toBe(0);
    expect(await onServer(ids)).toBe(1100);
  });
});
