// @vitest-environment node
// A sync is started by timers and events, with nobody to catch what it throws.
// When the phone cannot store the server's answer (a full disk mid-pull), the
// engine reports 'storage', keeps every local record and queued change, and
// retries later — it never ends in an unhandled rejection.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createHousehold } from '../../src/app/db/repo';
import { createHouseholdInput } from '../factories/records';
import { serverWithLanAndMinh, signedInDevice } from './harness';

const world = serverWithLanAndMinh();

function quotaError(): Error {
  const e = new Error('The quota has been exceeded.');
  e.name = 'QuotaExceededError';
  return e;
}

describe('a full disk during sync', () => {
  it('reports storage, loses nothing, and schedules a retry', async () => {
    const { s, lan, minh } = world;
    // Minh's household is on the server, so Lan's pull has a page to store.
    const minhPhone = await signedInDevice(s, minh);
    await createHousehold(minhPhone.db, minhPhone.actor, createHouseholdInput({ group: 'TDP 5' }));
    expect(await minhPhone.engine.syncNow()).toMatchObject({ ok: true });

    const phone = await signedInDevice(s, lan);
    const mine = await createHousehold(phone.db, phone.actor, createHouseholdInput({ group: 'TDP 5' }));
    expect(mine.ok).toBe(true);
    const put = vi.spyOn(phone.db.households, 'put').mockRejectedValue(quotaError());
    const bulkPut = vi.spyOn(phone.db.households, 'bulkPut').mockRejectedValue(quotaError());

    expect(await phone.engine.syncNow()).toEqual({ ok: false, error: 'storage' });
    expect(phone.engine.status.lastError).toBe('storage');
    expect(phone.engine.status.nextRetryAt).toBeDefined();
    // Lan's own household is still here; it was pushed (the push answer was
    // stored before the pull failed), and the failed page left no half-state.
    expect(await phone.db.households.get(mine.ok ? mine.record.id : '')).toBeDefined();
    expect(await phone.db.outbox.count()).toBe(0);

    put.mockRestore();
    bulkPut.mockRestore();
    expect(await phone.engine.syncNow()).toMatchObject({ ok: true });
    expect(await phone.db.households.count()).toBe(2);
    phone.engine.stop();
    minhPhone.engine.stop();
  });
});
