// @vitest-environment node
// A server restored from a backup has forgotten the seqs it settled: the
// device's engine, against the real server (SQLite), recovers from 409 seq_gap.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { serverWithLanAndMinh, signedInDevice } from './harness';
import { createHousehold } from '../../src/app/db/repo';
import { createHouseholdInput } from '../factories/records';

describe('a server restored from a backup', () => {
  const world = serverWithLanAndMinh();

  it('after the server loses its counter (restore from backup), the device recovers from 409 seq_gap', async () => {
    const d = await signedInDevice(world.s, world.lan);
    await createHousehold(d.db, d.actor, createHouseholdInput({ address: { houseNumber: '7', street: 'Hàng Gai' } }));
    expect(await d.engine.syncNow()).toMatchObject({ ok: true });
    const clientId = (await d.db.meta.get('clientId'))!.value as string;
    await world.s.db.kysely.updateTable('clients').set({ last_applied_seq: 0 }).where('client_id', '=', clientId).execute();
    await createHousehold(d.db, d.actor, createHouseholdInput({ address: { houseNumber: '8', street: 'Hàng Gai' } }));
    const first = await d.engine.syncNow();
    const second = await d.engine.syncNow();
    expect(first).not.toEqual({ ok: false, error: 'seq_gap' });
    // Retrying with the same numbers would leave the queue stuck for ever.
    expect([first, second].some((o) => o.ok)).toBe(true);
    expect(await d.db.outbox.count()).toBe(0);
  });
});
