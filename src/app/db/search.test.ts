import { describe, expect, it } from 'vitest';
import { createHousehold, createPerson } from './repo';
import { search } from './search';
import { actor, freshDb, createHouseholdInput, createPersonInput } from '../../../tests/factories/records';

async function seed() {
  const db = freshDb();
  const a = await createHousehold(db, actor, createHouseholdInput({ headName: 'Nguyễn Văn A', phone: '0987654321' }));
  const b = await createHousehold(
    db,
    actor,
    createHouseholdInput({ headName: 'Đỗ Thị Hằng', address: { houseNumber: '7', lane: 'Ngách 12', street: 'Đường Thành' }, phone: undefined }),
  );
  if (!a.ok || !b.ok) throw new Error();
  await createPerson(db, actor, b.record.id, createPersonInput({ fullName: 'Đặng Văn Đức', phone: '0356111222' }));
  return { db, a: a.record, b: b.record };
}

describe('search', () => {
  it('"nguyen van a" finds "Nguyễn Văn A"', async () => {
    const { db, a } = await seed();
    const hits = await search(db, 'nguyen van a');
    expect(hits.map((h) => h.household.id)).toEqual([a.id]);
  });

  it('"d" matches "đ", in people and addresses', async () => {
    const { db, b } = await seed();
    const hits = await search(db, 'dang duc');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.household.id).toBe(b.id);
    expect(hits[0]!.people.map((p) => p.fullName)).toEqual(['Đặng Văn Đức']);
    expect((await search(db, 'duong thanh')).map((h) => h.household.id)).toEqual([b.id]);
  });

  it('finds by phone prefix and by house number with lane', async () => {
    const { db, a, b } = await seed();
    expect((await search(db, '0987')).map((h) => h.household.id)).toEqual([a.id]);
    expect((await search(db, '0356111222')).map((h) => h.household.id)).toEqual([b.id]);
    expect((await search(db, 'ngach 12 7')).map((h) => h.household.id)).toEqual([b.id]);
  });

  it('uses the word index rather than scanning every row', async () => {
    const { db, a } = await seed();
    // A row whose name would match on a full scan, but whose indexed words do not:
    // only a search that reads the index leaves it out.
    await db.households.update(a.id, { _words: ['khac'] });
    expect(await search(db, 'nguyen van a')).toEqual([]);
    expect((await search(db, 'khac')).map((h) => h.household.id)).toEqual([a.id]); // found by its indexed word
    expect(await search(db, '   ')).toEqual([]);
  });

  it('a one-letter query over many households returns a capped list', async () => {
    const db = freshDb();
    await db.transaction('rw', db.households, async () => {
      for (let i = 0; i < 800; i++) {
        await db.households.add({
          id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          deleted: false,
          wardCode: 'CUANAM',
          group: 'TDP 1',
          address: { houseNumber: String(i), street: 'Hàng Bông' },
          headName: `Nguyễn Văn ${i}`,
          povertyStatus: 'none',
          consent: { given: true, at: '2026-01-01T00:00:00.000Z', by: 'vol-1' },
          _words: ['nguyen', 'van', String(i), 'hang', 'bong'],
        });
      }
    });
    const hits = await search(db, 'n');
    expect(hits.length).toBe(30);
  });
});
