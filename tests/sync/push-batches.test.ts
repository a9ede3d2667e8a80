// @vitest-environment node
// What the device's engine pushes, against the real server (SQLite): batches
// the server accepts, and no endless re-sending when an answer acknowledges
// nothing that was sent.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { serverWithLanAndMinh, signedInDevice } from './harness';
import { createHousehold } from '../../src/app/db/repo';
import { createHouseholdInput } from '../factories/records';

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
const html = () => new Response('<html>portal</html>', { status: 200, headers: { 'content-type': 'text/html' } });

describe('push batches', () => {
  const world = serverWithLanAndMinh();

  it('a push answer that acknowledges none of the sent entries stops the run instead of re-sending forever', async () => {
    const d = await signedInDevice(world.s, world.lan);
    await createHousehold(d.db, d.actor, createHouseholdInput());
    let pushes = 0;
    d.fault = async (input, init, real) => {
      if (!input.includes('/sync/push')) return real(input, init);
      pushes++;
      // Safety valve so the test ends: after 5 identical answers, a portal page.
      if (pushes > 5) return html();
      return json({ lastAppliedSeq: 0, results: [{ seq: 999, status: 'duplicate' }] });
    };
    const out = await d.engine.syncNow();
    expect(out).toEqual({ ok: false, error: 'unexpected_response' });
    expect(await d.db.outbox.count()).toBe(1); // nothing cleared
    expect(pushes).toBe(1); // once, not a tight loop re-sending the same batch
  });

  it('a queue of Vietnamese notes is cut into batches the server accepts (1 MiB is bytes, not UTF-16 units)', async () => {
    const d = await signedInDevice(world.s, world.lan);
    const notes = 'ễ'.repeat(1000); // 1000 chars, 3000 UTF-8 bytes; the schema allows 1000 chars
    for (let i = 0; i < 400; i++)
      await createHousehold(d.db, d.actor, createHouseholdInput({ notes, address: { houseNumber: String(i + 1), street: 'Hàng Bông' } }));
    const statuses: number[] = [];
    d.fault = async (input, init, real) => {
      const res = await real(input, init);
      statuses.push(res.status);
      return res;
    };
    const out = await d.engine.syncNow();
    expect(statuses).not.toContain(413);
    // Measured in characters, the first batch was ~360 mutations: < 512K chars but > 1 MiB on the
    // wire: 413 payload_too_large, and every retry sends the same batch.
    expect(out).toMatchObject({ ok: true });
    expect(await d.db.outbox.count()).toBe(0);
  });
});
