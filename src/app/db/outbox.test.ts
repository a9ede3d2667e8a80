import { describe, expect, it } from 'vitest';
import { applyPushResults, BATCH_BYTES, nextBatch, numberOutbox } from './outbox';
import { actor, freshDb, createHouseholdInput } from '../../../tests/factories/records';
import { createHousehold } from './repo';

describe('outbox numbering and batching', () => {
  it('numbers entries contiguously in queue order, once, even when local keys have gaps', async () => {
    const db = freshDb();
    await db.outbox.bulkAdd([
      { seq: 3, entity: 'household', id: 'a', op: 'upsert', fields: {}, at: '2026-01-01T00:00:00Z' },
      { seq: 7, entity: 'household', id: 'b', op: 'upsert', fields: {}, at: '2026-01-01T00:00:00Z' },
    ]);
    await numberOutbox(db);
    await numberOutbox(db);
    expect((await db.outbox.orderBy('seq').toArray()).map((e) => e.pushSeq)).toEqual([1, 2]);
    await db.outbox.add({ entity: 'household', id: 'c', op: 'upsert', fields: {}, at: '2026-01-01T00:00:00Z' });
    await db.outbox.delete(3);
    await numberOutbox(db);
    expect((await db.outbox.orderBy('seq').toArray()).map((e) => e.pushSeq)).toEqual([2, 3]);
  });

  it('cuts batches at about 512 KB', async () => {
    const db = freshDb();
    const big = 'x'.repeat(200 * 1024);
    for (let i = 0; i < 4; i++)
      await db.outbox.add({ entity: 'household', id: `id${i}`, op: 'upsert', fields: { notes: big }, at: '2026-01-01T00:00:00Z' });
    await numberOutbox(db);
    const batch = await nextBatch(db);
    expect(batch.map((m) => m.seq)).toEqual([1, 2]);
    expect(JSON.stringify(batch).length).toBeLessThanOrEqual(BATCH_BYTES + 1024);
  });

  it('removes only the entries the answer covers, and keeps rejected ones as attention items', async () => {
    const db = freshDb();
    for (let i = 0; i < 3; i++) await createHousehold(db, actor, createHouseholdInput({ headName: `Hộ ${i}` }));
    await numberOutbox(db);
    const batch = await nextBatch(db);
    await applyPushResults(db, batch, [
      { seq: 1, status: 'applied' },
      { seq: 2, status: 'rejected', error: { code: 'wrong_ward', message: 'other ward' } },
    ]);
    expect((await db.outbox.toArray()).map((e) => e.pushSeq)).toEqual([3]);
    const items = await db.attention.toArray();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'rejected', code: 'wrong_ward', recordId: batch[1]!.id });
    expect(await db.households.count()).toBe(3); // the rejected record stays on the device
  });

  it('reads ahead: the batch after one still in flight starts at its last pushSeq + 1 and holds at most maxCount', async () => {
    const db = freshDb();
    for (let i = 0; i < 7; i++) await db.outbox.add({ entity: 'household', id: `id${i}`, op: 'upsert', fields: {}, at: '2026-01-01T00:00:00Z' });
    await numberOutbox(db);
    const first = await nextBatch(db, 3);
    expect(first.map((m) => m.seq)).toEqual([1, 2, 3]);
    const second = await nextBatch(db, 3, 3);
    expect(second.map((m) => m.seq)).toEqual([4, 5, 6]);
    // The first answer is stored while the second batch is in flight.
    await applyPushResults(db, first, first.map((m) => ({ seq: m.seq, status: 'applied' as const })));
    expect((await nextBatch(db, 3, 6)).map((m) => m.seq)).toEqual([7]);
    await applyPushResults(db, second, second.map((m) => ({ seq: m.seq, status: 'applied' as const })));
    expect(await nextBatch(db, 3, 7)).toEqual([]);
  });

  it('an answer for an entry edited again meanwhile removes only the entry that was sent', async () => {
    const db = freshDb();
    await db.outbox.add({ entity: 'household', id: 'a', op: 'upsert', fields: { notes: 'one' }, at: '2026-01-01T00:00:00Z' });
    await numberOutbox(db);
    const batch = await nextBatch(db);
    // A newer edit of the same record, queued while the push was in flight.
    await db.outbox.add({ entity: 'household', id: 'a', op: 'upsert', fields: { notes: 'two' }, at: '2026-01-01T00:01:00Z' });
    await numberOutbox(db);
    expect(await applyPushResults(db, batch, [{ seq: 1, status: 'applied' }, { seq: 1, status: 'applied' }, { seq: 99, status: 'applied' }])).toBe(1);
    expect((await db.outbox.toArray()).map((e) => [e.pushSeq, e.fields.notes])).toEqual([[2, 'two']]);
  });
});
