import { describe, expect, it } from 'vitest';
import { createHousehold, createPerson } from './repo';
import { search } from './search';
import { toHouseholdRow, toPersonRow } from './database';
import type { Household, Person } from '../../shared/schemas';
import {
  actor,
  freshDb,
  createHouseholdInput,
  createHouseholdRecord,
  createPersonInput,
  createPersonRecord,
} from '../../../tests/factories/records';

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

/** Stores records as rows directly (a fixture of many records, faster than the repo's writes). */
async function store(db: ReturnType<typeof freshDb>, households: Household[], people: Person[] = []) {
  await db.transaction('rw', db.households, db.people, async () => {
    await db.households.bulkPut(households.map(toHouseholdRow));
    await db.people.bulkPut(people.map(toPersonRow));
  });
}

/** Households with ids in ascending order (the index's order within a word). */
function numbered(n: number, overrides: (i: number) => Partial<Household>): Household[] {
  return Array.from({ length: n }, (_, i) =>
    createHouseholdRecord({ id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`, ...overrides(i) }),
  );
}

describe('search: the probe\'s rows until the page is full', () => {
  it.each([
    ['without diacritics', 'hoang thi mai'],
    ['with diacritics', 'Hoàng Thị Mai'],
    ['in another word order', 'mai hoang'],
    ['by word prefixes', 'hoa th ma'],
  ])('finds a household by its head %s', async (_, query) => {
    const db = freshDb();
    const [hit, other] = [createHouseholdRecord({ headName: 'Hoàng Thị Mai' }), createHouseholdRecord({ headName: 'Hoàng Văn Minh' })];
    await store(db, [hit, other]);
    expect((await search(db, query)).map((h) => h.household.id)).toEqual([hit.id]);
  });

  it('needs every word on the same record: a name on one and a lane on another is no match', async () => {
    const db = freshDb();
    const a = createHouseholdRecord({ headName: 'Bùi Ngọc Sơn', address: { houseNumber: '3', lane: 'Ngõ Trạm', street: 'Cát Linh' } });
    const b = createHouseholdRecord({ headName: 'Lê Văn Tùng', address: { houseNumber: '9', lane: 'Ngõ Huế', street: 'Cát Linh' } });
    await store(db, [a, b]);
    expect((await search(db, 'son ngo hue')).map((h) => h.household.id)).toEqual([]);
    expect((await search(db, 'son ngo tram')).map((h) => h.household.id)).toEqual([a.id]);
  });

  it('finds by phone prefix on a household and on a person, and only those', async () => {
    const db = freshDb();
    const a = createHouseholdRecord({ phone: '0912345678' });
    const b = createHouseholdRecord({ phone: '0987000111' });
    const c = createHouseholdRecord({ phone: undefined });
    await store(db, [a, b, c], [createPersonRecord(c.id, { phone: '0912999888' })]);
    expect((await search(db, '0912')).map((h) => h.household.id).sort()).toEqual([a.id, c.id].sort());
    expect((await search(db, '09129')).map((h) => h.household.id)).toEqual([c.id]);
  });

  it('leaves out deleted households, deleted people and the people of a deleted household', async () => {
    const db = freshDb();
    const gone = createHouseholdRecord({ headName: 'Phạm Thu Lan', deleted: true });
    const kept = createHouseholdRecord({ headName: 'Phạm Thu Lan' });
    const viaPerson = createHouseholdRecord({ headName: 'Vũ Đức Long' });
    const viaGone = createHouseholdRecord({ headName: 'Ngô Hữu Bình', deleted: true });
    await store(db, [gone, kept, viaPerson, viaGone], [
      createPersonRecord(viaPerson.id, { fullName: 'Phạm Thu Lan', deleted: true }),
      createPersonRecord(viaGone.id, { fullName: 'Phạm Thu Lan' }),
    ]);
    const hits = await search(db, 'pham thu lan');
    expect(hits.map((h) => h.household.id)).toEqual([kept.id]);
    expect(hits[0]!.people).toEqual([]);
  });

  it('lists households matched by their own words first, then those found through their people, with the people who matched', async () => {
    const db = freshDb();
    const own = createHouseholdRecord({ headName: 'Đỗ Quang Hà' });
    const throughPerson = createHouseholdRecord({ headName: 'Trần Văn Nam' });
    const p1 = createPersonRecord(throughPerson.id, { fullName: 'Đỗ Quang Hà' });
    const p2 = createPersonRecord(throughPerson.id, { fullName: 'Trần Thị Thảo' });
    const p3 = createPersonRecord(own.id, { fullName: 'Đỗ Quang Hải' });
    await store(db, [throughPerson, own], [p1, p2, p3]);
    const hits = await search(db, 'do quang ha');
    expect(hits.map((h) => h.household.id)).toEqual([own.id, throughPerson.id]);
    expect(hits.map((h) => h.people.map((p) => p.id))).toEqual([[p3.id], [p1.id]]);
  });

  it('reads on past deleted rows when the first keys of a one-word query are all deleted', async () => {
    const db = freshDb();
    // Ids ascend, so the 70 deleted ones come first in the index, past the first slice of keys (60).
    const all = numbered(75, (i) => ({ headName: 'Hồ Thị Yến', deleted: i < 70 }));
    await store(db, all);
    expect((await search(db, 'yen', 3)).map((h) => h.household.id)).toEqual(all.slice(70, 73).map((h) => h.id));
    expect(await search(db, 'yen')).toHaveLength(5);
  });

  it('finds every hit wherever it is: no bound on how far a rare combination of common words is looked for', async () => {
    const db = freshDb();
    // 1,250 households of "minh" (both words are common, so the probe is the longer: "minh"), 4 of them in
    // Ngõ Trạm, 1 of those deleted, and the last far down the probe's ids (version 4 stopped at 300 keys).
    const inTram = [7, 207, 250, 1_207];
    const all = numbered(1_250, (i) => ({
      headName: 'Lê Minh',
      address: inTram.includes(i) ? { houseNumber: String(i), lane: 'Ngõ Trạm', street: 'Cát Linh' } : { houseNumber: String(i), lane: 'Ngách 45', street: 'Cát Linh' },
      deleted: i === 207,
    }));
    await store(db, all);
    expect((await search(db, 'minh ngo')).map((h) => h.household.id)).toEqual([7, 250, 1_207].map((i) => all[i]!.id));
    expect((await search(db, 'tram ngo le minh')).map((h) => h.household.id)).toEqual([7, 250, 1_207].map((i) => all[i]!.id));
  }, 20_000);

  it('fills the page from people when few households match by their own words, up to the limit', async () => {
    const db = freshDb();
    const hs = numbered(40, () => ({ headName: 'Bùi Văn Dũng' }));
    await store(db, hs, hs.map((h) => createPersonRecord(h.id, { fullName: 'Dương Thị Trang' })));
    const hits = await search(db, 'duong trang');
    expect(hits).toHaveLength(30);
    expect(hits.every((h) => h.people.length === 1)).toBe(true);
  });
});
