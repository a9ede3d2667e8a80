// @vitest-environment node
// An edit the server rejected stays on the device until the volunteer sends it
// again: a later pull of the server's version does not erase it. Device only
// (fake IndexedDB), with the push answers and the pulled page written by hand.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createHousehold, updateHousehold } from '../../src/app/db/repo';
import { resendRejected } from '../../src/app/db/attention';
import { applyPushResults, nextBatch, numberOutbox } from '../../src/app/db/outbox';
import { storePulledPage } from '../../src/app/db/pulledPages';
import { stripLocal } from '../../src/app/db/database';
import { actor, createHouseholdInput, freshDb } from '../factories/records';

describe('rejected edits stay on the device', () => {
  it('a pull of a newer server version does not erase an edit the server rejected; "send again" sends it', async () => {
    const db = freshDb('rejected-edits');
    const created = await createHousehold(db, actor, createHouseholdInput({ headName: 'Bùi Thị Nga' }));
    if (!created.ok) throw new Error('create');
    await numberOutbox(db);
    await applyPushResults(db, await nextBatch(db), [{ seq: 1, status: 'applied' }]);
    // The volunteer edits the notes; the server rejects that edit (e.g. forbidden after a regroup).
    await updateHousehold(db, actor, created.record.id, { notes: 'Cụ bà chỉ ở nhà buổi chiều' });
    await numberOutbox(db);
    const batch = await nextBatch(db);
    await applyPushResults(db, batch, [{ seq: 2, status: 'rejected', error: { code: 'forbidden', message: 'outside' } }]);
    expect(await db.outbox.count()).toBe(0);
    // A teammate changes the phone; the next pull brings the server's record.
    const server = { ...stripLocal((await db.households.get(created.record.id))!), phone: '0987654321' };
    delete (server as { notes?: string }).notes;
    await storePulledPage(db, { changes: [{ entity: 'household', id: server.id, record: server, version: 5 }], cursor: 5, hasMore: false }, 0);
    // The rejected edit must stay on the record (the attention row does not show fields).
    expect((await db.households.get(created.record.id))!.notes).toBe('Cụ bà chỉ ở nhà buổi chiều');
    const item = (await db.attention.toArray())[0]!;
    expect(await resendRejected(db, item.key!)).toEqual({ ok: true });
    const [resent] = await db.outbox.toArray();
    expect(resent!.fields.notes).toBe('Cụ bà chỉ ở nhà buổi chiều');
  });
});
