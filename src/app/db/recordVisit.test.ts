// recordVisit's common save (no checklist change, no escalation) keeps the
// follow-up index (`_due`) right without refreshDue's re-read of the household:
// it computes the rows from the household's visits (dueAfterNewVisit). These
// tests hold it to the full recompute (refreshDue over everything) and to the
// follow-ups list, in the cases where the follow-up state changes and where it
// does not.
import { describe, expect, it } from 'vitest';
import { recordVisit, type VisitInput } from './repo';
import { refreshDue, toHouseholdRow, toVisitRow, type GoCuaDB } from './database';
import { dueCount, followUps, followUpsDueCount } from './queries';
import { actor, createHouseholdRecord, createVisitRecord, freshDb } from '../../../tests/factories/records';
import { rng } from '../../../tests/factories/generate';
import type { Household, Visit } from '../../shared/schemas';

const TODAY = '2099-12-31';

const door = (householdId: string, o: Partial<VisitInput> = {}): VisitInput => ({
  householdId,
  channel: 'door',
  outcome: 'helped',
  people: [],
  services: [],
  ...o,
});

async function seed(db: GoCuaDB, households: Household[], visits: Visit[] = []) {
  await db.transaction('rw', [db.households, db.people, db.visits, db.cases], async () => {
    await db.households.bulkPut(households.map(toHouseholdRow));
    await db.visits.bulkPut(visits.map(toVisitRow));
    await refreshDue(db, households.map((h) => h.id));
  });
}

/** Every row's `_due`, by id. */
async function dueOf(db: GoCuaDB): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const v of await db.visits.toArray()) out[v.id] = v._due;
  for (const p of await db.people.toArray()) out[p.id] = p._due;
  return out;
}

/** The index as the save left it equals the index recomputed from scratch, and the list agrees. */
async function expectIndexRight(db: GoCuaDB) {
  const saved = await dueOf(db);
  const walkIns = (await db.visits.filter((v) => !v.householdId).primaryKeys()) as string[];
  await db.transaction('rw', [db.households, db.people, db.visits, db.cases], async () => {
    await refreshDue(db, (await db.households.toCollection().primaryKeys()) as string[], walkIns);
  });
  expect(saved).toEqual(await dueOf(db));
  expect(await followUpsDueCount(db, TODAY)).toBe(dueCount(await followUps(db, TODAY), TODAY));
}

const at = (day: string) => `2026-08-${day}T09:00:00.000Z`;

describe('recordVisit: the follow-up index without re-reading the household', () => {
  it.each([
    ['a revisit opens a follow-up', [], { outcome: 'revisit' as const }, 1],
    ['a follow-up date opens one too', [], { followUpOn: '2026-08-20' }, 1],
    ['a later plain visit closes the open revisit', [{ outcome: 'revisit' as const, at: at('05') }], {}, 0],
    ['a later revisit replaces the open revisit', [{ outcome: 'revisit' as const, at: at('05') }], { outcome: 'revisit' as const }, 1],
    ['a backdated revisit changes nothing: the later visit stands', [{ outcome: 'helped' as const, at: at('05') }], { outcome: 'revisit' as const, at: at('01') }, 0],
    ['a backdated plain visit leaves the open revisit open', [{ outcome: 'revisit' as const, at: at('05') }], { at: at('01') }, 1],
    ['a revisit at the same moment as a stored visit loses the tie (the first id wins)', [{ outcome: 'helped' as const, at: at('05') }], { outcome: 'revisit' as const, at: at('05') }, 0],
    ['a deleted later visit does not count as the latest', [{ outcome: 'helped' as const, at: at('09'), deleted: true }], { outcome: 'revisit' as const, at: at('05') }, 1],
  ])('%s', async (_, stored, input, due) => {
    const db = freshDb();
    const h = createHouseholdRecord();
    await seed(db, [h], stored.map((o) => createVisitRecord(h.id, o)));
    const r = await recordVisit(db, actor, door(h.id, input));
    expect(r.ok).toBe(true);
    expect(await followUpsDueCount(db, TODAY)).toBe(due);
    await expectIndexRight(db);
  });

  it('gives a walk-in revisit its own follow-up', async () => {
    const db = freshDb();
    const r = await recordVisit(db, actor, { channel: 'literacy_point', literacyPointId: 'P1', outcome: 'revisit', people: [], services: [] });
    expect(r.ok).toBe(true);
    expect(await followUpsDueCount(db, TODAY)).toBe(1);
    await expectIndexRight(db);
  });

  it.each([
    ['missing', undefined],
    ['deleted', { deleted: true }],
  ])('refuses a visit to a %s household and writes nothing', async (_, o) => {
    const db = freshDb();
    const h = createHouseholdRecord(o ?? {});
    if (o) await seed(db, [h]);
    expect(await recordVisit(db, actor, door(h.id, { outcome: 'revisit' }))).toEqual({ ok: false, reason: 'not_found' });
    expect(await db.visits.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it('writes the visit, the cleared follow-up and the outbox entry together or not at all', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const open = createVisitRecord(h.id, { outcome: 'revisit', at: at('05') });
    await seed(db, [h], [open]);
    db.outbox.hook('creating', () => {
      throw new Error('disk exploded');
    });
    await expect(recordVisit(db, actor, door(h.id))).rejects.toThrow('disk exploded');
    expect(await db.visits.count()).toBe(1);
    expect((await db.visits.get(open.id))?._due).toBe('2026-08-05');
  });

  it('stays equal to the full recompute through 150 random saves over a few households', async () => {
    const db = freshDb();
    const r = rng(7);
    const households = Array.from({ length: 4 }, () => createHouseholdRecord());
    const gone = createHouseholdRecord({ deleted: true });
    const stored = households.flatMap((h) =>
      Array.from({ length: r.int(0, 3) }, () =>
        createVisitRecord(h.id, { outcome: r.pick(['helped', 'revisit', 'not_home'] as const), at: at(String(r.int(1, 28)).padStart(2, '0')), deleted: r.chance(0.1) }),
      ),
    );
    await seed(db, [...households, gone], stored);
    let refused = 0;
    for (let i = 0; i < 150; i++) {
      const h = r.chance(0.05) ? gone : r.pick(households);
      const input = door(h.id, {
        outcome: r.pick(['helped', 'revisit', 'not_home', 'declined'] as const),
        ...(r.chance(0.2) ? { followUpOn: `2026-09-${String(r.int(1, 28)).padStart(2, '0')}` } : {}),
        // Now, or a day of August (a backdated entry), sometimes at a stored visit's very moment.
        ...(r.chance(0.5) ? { at: at(String(r.int(1, 28)).padStart(2, '0')) } : {}),
      });
      const w = await recordVisit(db, actor, input);
      if (!w.ok) refused++;
      if (i % 10 === 9) await expectIndexRight(db);
    }
    expect(refused).toBeGreaterThan(0);
    expect(await followUpsDueCount(db, TODAY)).toBeGreaterThan(0);
    await expectIndexRight(db);
  }, 30_000);
});
