import { describe, expect, it } from 'vitest';
import type { DBCoreTable } from 'dexie';
import { pullCursor, readPulledPage, resetPullCursor, storePulledPage } from './pulledPages';
import { stripLocal, type AttentionItem, type GoCuaDB, type OutboxEntry } from './database';
import { setMeta } from './meta';
import { createHouseholdRecord, createPersonRecord, freshDb } from '../../../tests/factories/records';
import type { PullChange } from '../../shared/protocol';
import type { Household } from '../../shared/schemas';

const at = '2026-08-01T08:00:00.000Z';

function recordChange(record: Household, version = 1): PullChange {
  return { entity: 'household', id: record.id, record, version };
}
function tombstone(h: Household, version = 2): PullChange {
  const { id, wardCode, createdAt, group } = h;
  return { entity: 'household', id, record: { id, wardCode, createdAt, updatedAt: at, deleted: true, group }, version };
}
function removal(h: Household, version = 2): PullChange {
  return { entity: 'household', id: h.id, record: null, removed: 'out_of_scope', version };
}
const drops = [
  ['a tombstone', tombstone],
  ['an out-of-scope removal', removal],
] as const;

/** Stores changes as the page after cursor 0, with its cursor at 10. */
function store(db: GoCuaDB, ...changes: PullChange[]) {
  return storePulledPage(db, { changes, cursor: 10, hasMore: false }, 0);
}
function pending(h: Household, fields: OutboxEntry['fields']): OutboxEntry {
  return { entity: 'household', id: h.id, op: 'upsert', fields, at };
}
function item(h: Household, kind: AttentionItem['kind'], fields: AttentionItem['fields'] = {}): AttentionItem {
  return { kind, entity: 'household', recordId: h.id, fields, code: kind === 'rejected' ? 'forbidden' : 'conflict', message: '', at };
}
async function stored(db: GoCuaDB, h: Household) {
  const row = await db.households.get(h.id);
  return row && stripLocal(row);
}

/** Counts the requests that reach IndexedDB, per table and operation, through a DBCore middleware. */
function countRequests(db: GoCuaDB): { calls: string[] } {
  const log = { calls: [] as string[] };
  db.use({
    stack: 'dbcore',
    name: 'count-requests',
    create: (down) => ({
      ...down,
      table(name): DBCoreTable {
        const t = down.table(name);
        const note = (op: string) => log.calls.push(`${name}.${op}`);
        return {
          ...t,
          get: (req) => (note('get'), t.get(req)),
          getMany: (req) => (note('getMany'), t.getMany(req)),
          query: (req) => (note('query'), t.query(req)),
          openCursor: (req) => (note('openCursor'), t.openCursor(req)),
          count: (req) => (note('count'), t.count(req)),
          mutate: (req) => (note('mutate'), t.mutate(req)),
        };
      },
    }),
  });
  return log;
}

describe('storing a pulled page', () => {
  it('stores the records and the page cursor together', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const p = createPersonRecord(h.id);
    expect(await storePulledPage(db, { changes: [recordChange(h), { entity: 'person', id: p.id, record: p, version: 2 }], cursor: 2, hasMore: true }, 0)).toBe(2);
    expect(await stored(db, h)).toEqual(h);
    expect(stripLocal((await db.people.get(p.id))!)).toEqual(p);
    expect(await pullCursor(db)).toBe(2);
  });

  it('re-applies pending outbox edits over the pulled record, in queue order', async () => {
    const db = freshDb();
    const h = createHouseholdRecord({ phone: '0912345678' });
    await db.outbox.bulkAdd([pending(h, { headName: 'Lê Văn Tám' }), pending(h, { headName: 'Lê Văn Chín', notes: 'Chiều mới có nhà' })]);
    await store(db, recordChange(h));
    expect(await stored(db, h)).toEqual({ ...h, headName: 'Lê Văn Chín', notes: 'Chiều mới có nhà' });
  });

  it('re-applies rejected edits in the order they were rejected, then pending edits over them', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    await db.attention.bulkAdd([
      item(h, 'rejected', { headName: 'Rejected first', notes: 'từ lần bị từ chối' }),
      item(h, 'conflict', { headName: 'A conflict is not re-applied' }),
      item(h, 'rejected', { headName: 'Rejected second', phone: '0987654321' }),
    ]);
    await db.outbox.add(pending(h, { phone: '0911222333' }));
    await store(db, recordChange(h));
    expect(await stored(db, h)).toEqual({ ...h, headName: 'Rejected second', notes: 'từ lần bị từ chối', phone: '0911222333' });
  });

  it.each(drops)('%s deletes the local record and the attention items about it', async (_, drop) => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const other = createHouseholdRecord();
    await store(db, recordChange(h), recordChange(other));
    await db.attention.bulkAdd([item(h, 'conflict'), item(other, 'conflict')]);
    expect(await storePulledPage(db, { changes: [drop(h)], cursor: 11, hasMore: false }, 10)).toBe(1);
    expect(await db.households.get(h.id)).toBeUndefined();
    expect((await db.attention.toArray()).map((a) => a.recordId)).toEqual([other.id]);
    expect(await stored(db, other)).toEqual(other);
  });

  it.each(drops)('%s keeps a record with pending outbox entries, as it is', async (_, drop) => {
    const db = freshDb();
    const h = createHouseholdRecord();
    await store(db, recordChange(h));
    await db.outbox.add(pending(h, { notes: 'chưa gửi' }));
    await db.attention.add(item(h, 'conflict'));
    expect(await storePulledPage(db, { changes: [drop(h)], cursor: 11, hasMore: false }, 10)).toBe(0);
    expect(await stored(db, h)).toEqual(h);
    expect(await db.attention.count()).toBe(1);
  });

  it.each(drops)('%s keeps a record with a rejected item, as it is', async (_, drop) => {
    const db = freshDb();
    const h = createHouseholdRecord();
    await store(db, recordChange(h));
    await db.attention.add(item(h, 'rejected', { notes: 'bị từ chối' }));
    expect(await storePulledPage(db, { changes: [drop(h)], cursor: 11, hasMore: false }, 10)).toBe(0);
    expect(await stored(db, h)).toEqual(h);
    expect(await db.attention.count()).toBe(1);
  });

  it.each([
    ['a record that fails the schema', (h: Household): PullChange => ({ entity: 'household', id: h.id, record: { ...h, povertyStatus: 'rich' }, version: 2 })],
    ['a tombstone that fails its schema', (h: Household): PullChange => ({ entity: 'household', id: h.id, record: { id: h.id, deleted: true }, version: 2 })],
  ])('skips %s and stores the rest of the page', async (_, unreadable) => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const other = createHouseholdRecord();
    await store(db, recordChange(h));
    expect(await storePulledPage(db, { changes: [unreadable(h), recordChange(other, 3)], cursor: 12, hasMore: false }, 10)).toBe(1);
    expect(await stored(db, h)).toEqual(h);
    expect(await stored(db, other)).toEqual(other);
    expect(await pullCursor(db)).toBe(12);
  });

  it.each([
    ['a record, then a newer version', (h: Household) => [recordChange(h), recordChange({ ...h, headName: 'Mới hơn' }, 2)], 'Mới hơn'],
    ['a record, then its tombstone', (h: Household) => [recordChange(h), tombstone(h)], undefined],
    ['a removal, then the record again', (h: Household) => [removal(h), recordChange({ ...h, headName: 'Quay lại' }, 3)], 'Quay lại'],
    ['a record, then an unreadable version', (h: Household) => [recordChange(h), { ...recordChange(h, 2), record: { id: h.id } }], 'Trần Văn Minh'],
  ])('when one page holds %s, the later readable change wins', async (_, changes, headName) => {
    const db = freshDb();
    const h = createHouseholdRecord({ headName: 'Trần Văn Minh' });
    await store(db, ...changes(h));
    expect((await stored(db, h))?.headName).toBe(headName);
  });

  it('a drop and a return of the same record in one page still clears its conflict items', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    await store(db, recordChange(h));
    await db.attention.add(item(h, 'conflict'));
    await storePulledPage(db, { changes: [removal(h), recordChange(h, 3)], cursor: 12, hasMore: false }, 10);
    expect(await stored(db, h)).toEqual(h);
    expect(await db.attention.count()).toBe(0);
  });

  it('stores a page read ahead (readPulledPage) as it was read, skipping what could not be read', async () => {
    const db = freshDb();
    const [a, b] = [createHouseholdRecord({ headName: 'Lê Thị Na' }), createHouseholdRecord()];
    const bad = { entity: 'household', id: b.id, record: { ...b, headName: 42 }, version: 2 } as unknown as PullChange;
    const page = { changes: [recordChange(a), bad], cursor: 2, hasMore: false };
    const read = readPulledPage(page);
    expect(read.read.map((r) => r?.drop)).toEqual([false, undefined]);
    // The page is not read again: what it holds after being read does not count.
    (page.changes[0]!.record as Household).headName = 'changed after reading';
    expect(await storePulledPage(db, read, 0)).toBe(1);
    expect((await db.households.get(a.id))?.headName).toBe('Lê Thị Na');
    expect(await db.households.get(b.id)).toBeUndefined();
    expect(await pullCursor(db)).toBe(2);
  });

  it('stores nothing and answers cursor_moved when the cursor was reset since the page was asked for', async () => {
    const db = freshDb();
    await setMeta(db, 'sync.cursor', 40);
    await resetPullCursor(db);
    const h = createHouseholdRecord();
    expect(await storePulledPage(db, { changes: [recordChange(h, 41)], cursor: 41, hasMore: false }, 40)).toBe('cursor_moved');
    expect(await db.households.count()).toBe(0);
    expect(await pullCursor(db)).toBe(0);
  });

  it('a page that fails to store leaves no record and no cursor behind', async () => {
    const db = freshDb();
    db.use({
      stack: 'dbcore',
      name: 'full-disk',
      create: (down) => ({
        ...down,
        table: (name) => {
          const t = down.table(name);
          return name === 'people' ? { ...t, mutate: () => Promise.reject(new DOMException('full', 'QuotaExceededError')) } : t;
        },
      }),
    });
    const h = createHouseholdRecord();
    const p = createPersonRecord(h.id);
    await expect(storePulledPage(db, { changes: [recordChange(h), { entity: 'person', id: p.id, record: p, version: 2 }], cursor: 2, hasMore: false }, 0)).rejects.toThrow();
    expect(await db.households.count()).toBe(0);
    expect(await pullCursor(db)).toBe(0);
  });

  it('makes the same number of IndexedDB requests for a page of 10 records as for a page of 1,000', async () => {
    /** A page of n changes: households, people, drops; some under pending edits and rejected items. */
    async function requestsFor(n: number): Promise<string[]> {
      const db = freshDb();
      const households = Array.from({ length: n / 2 }, () => createHouseholdRecord());
      const changes: PullChange[] = households.flatMap((h, i) => {
        const p = createPersonRecord(h.id);
        return [i % 5 === 2 ? removal(h) : recordChange(h), { entity: 'person', id: p.id, record: p, version: 1 }];
      });
      await store(db, ...households.map((h) => recordChange(h)));
      await db.outbox.bulkAdd(households.filter((_, i) => i % 3 === 0).map((h) => pending(h, { notes: 'chưa gửi' })));
      await db.attention.bulkAdd(households.filter((_, i) => i % 4 === 0).map((h) => item(h, 'rejected', { notes: 'bị từ chối' })));
      await db.attention.bulkAdd(households.filter((_, i) => i % 4 === 2).map((h) => item(h, 'conflict')));
      const log = countRequests(db);
      db.close();
      await db.open(); // the middleware applies from the next open
      log.calls.length = 0;
      await storePulledPage(db, { changes, cursor: 20, hasMore: false }, 10);
      return log.calls.sort();
    }
    const small = await requestsFor(10);
    expect(small).toEqual(await requestsFor(1000));
    // The cursor, the outbox and attention reads, a bulkPut per entity (people
    // with a bulkGet of the households the page did not write, for their
    // follow-up; a visit or a case would add a bulkGet of the rows it replaces,
    // whose household may change), a bulkGet and a bulkDelete for the drops, the
    // attention items dropped with them, the follow-up index's refresh (three
    // reads, one write here; the households the page wrote are not read again)
    // and the cursor.
    expect(small.length).toBeLessThanOrEqual(13);
  });
});
