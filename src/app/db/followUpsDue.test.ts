// Home counts the follow-ups due from the `_due` index (followUpsDueCount), not
// from the list. These tests hold the count to the list's own answer
// (dueCount(followUps())) across repository writes, pulled pages, tombstones,
// out-of-scope removals and conflict resolutions.
import { describe, expect, it } from 'vitest';
import type { DBCoreTable } from 'dexie';
import { dueCount, followUps, followUpsDueCount } from './queries';
import { storePulledPage, pullCursor } from './pulledPages';
import { createPerson, deleteHousehold, recordVisit, setPersonStep } from './repo';
import { DB_SCHEMA_VERSION, type GoCuaDB } from './database';
import {
  actor,
  createHouseholdRecord,
  createPersonInput,
  createPersonRecord,
  createVisitRecord,
  freshDb,
} from '../../../tests/factories/records';
import { rng } from '../../../tests/factories/generate';
import type { PullChange } from '../../shared/protocol';
import type { Household, Person, Visit } from '../../shared/schemas';

const TODAY = '2026-08-10';
let version = 0;

async function expectCount(db: GoCuaDB, n: number) {
  const fromList = dueCount(await followUps(db, TODAY), TODAY);
  expect(await followUpsDueCount(db, TODAY)).toBe(fromList);
  expect(fromList).toBe(n);
}

async function pull(db: GoCuaDB, ...changes: PullChange[]) {
  const from = await pullCursor(db);
  const r = await storePulledPage(db, { changes, cursor: from + 1, hasMore: false }, from);
  expect(r).not.toBe('cursor_moved');
}
const put = (entity: 'household' | 'person' | 'visit', record: Household | Person | Visit): PullChange => ({
  entity,
  id: record.id,
  record,
  version: ++version,
});
const removal = (entity: 'household' | 'person' | 'visit', id: string): PullChange => ({
  entity,
  id,
  record: null,
  removed: 'out_of_scope',
  version: ++version,
});
/** A minimal tombstone, as the server sends it. */
const tombstone = (entity: 'household' | 'person' | 'visit', r: Household | Person | Visit): PullChange => {
  const { id, wardCode, createdAt } = r;
  const record: Record<string, unknown> = { id, wardCode, createdAt, updatedAt: '2026-08-09T00:00:00.000Z', deleted: true };
  if ('group' in r) record.group = r.group;
  if ('householdId' in r && r.householdId) record.householdId = r.householdId;
  return { entity, id, record, version: ++version };
};
const revisit = (householdId: string, at: string, o: Partial<Visit> = {}) =>
  createVisitRecord(householdId, { outcome: 'revisit', at: `${at}T09:00:00.000Z`, ...o });
const blocked = (householdId: string, o: Partial<Person> = {}) => {
  const p = createPersonRecord(householdId, { updatedAt: '2026-08-01T00:00:00.000Z', ...o });
  p.platforms.vneid.steps.level2 = { status: 'blocked', blocker: 'nfc_unreadable' };
  return p;
};

describe('the follow-ups due count from the index', () => {
  it('is the version-3 database', () => {
    expect(DB_SCHEMA_VERSION).toBe(3);
  });

  it('follows pulled visits: a later visit closes a revisit, and its tombstone reopens it', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const first = revisit(h.id, '2026-08-05');
    await pull(db, put('household', h), put('visit', first));
    await expectCount(db, 1);
    const later = createVisitRecord(h.id, { at: '2026-08-06T09:00:00.000Z' });
    await pull(db, put('visit', later));
    await expectCount(db, 0);
    await pull(db, tombstone('visit', later));
    await expectCount(db, 1);
  });

  it('counts a revisit due later only from its day', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    await pull(db, put('household', h), put('visit', revisit(h.id, '2026-08-05', { followUpOn: '2026-08-20' })));
    await expectCount(db, 0);
    expect(await followUpsDueCount(db, '2026-08-20')).toBe(1);
  });

  it('counts blocked people and walk-ins, and forgets a household removed from scope with its people and visits', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const p = blocked(h.id);
    const walkIn = createVisitRecord('', { householdId: undefined, channel: 'literacy_point', literacyPointId: 'P1', outcome: 'revisit', at: '2026-08-04T09:00:00.000Z' });
    await pull(db, put('person', p), put('visit', revisit(h.id, '2026-08-03')), put('visit', walkIn));
    await expectCount(db, 1); // the household has not arrived yet: only the walk-in
    await pull(db, put('household', h));
    await expectCount(db, 3);
    await pull(db, removal('household', h.id));
    await expectCount(db, 1);
    await pull(db, tombstone('visit', walkIn));
    await expectCount(db, 0);
  });

  it('follows repository writes in their transaction: a blocked step, a visit, a deleted household', async () => {
    const db = freshDb();
    const h = createHouseholdRecord({ consent: { given: true, at: '2026-08-01T00:00:00.000Z', by: 'vol-1' } });
    await pull(db, put('household', h));
    const person = await createPerson(db, actor, h.id, createPersonInput());
    if (!person.ok) throw new Error('person');
    await setPersonStep(db, actor, person.record.id, 'vneid', 'level2', { status: 'blocked', blocker: 'nfc_unreadable' });
    const today = new Date().toISOString().slice(0, 10);
    expect(await followUpsDueCount(db, today)).toBe(1);
    await recordVisit(db, actor, { householdId: h.id, channel: 'door', outcome: 'revisit', people: [], services: [] });
    expect(await followUpsDueCount(db, today)).toBe(2);
    expect(await followUpsDueCount(db, today)).toBe(dueCount(await followUps(db, today), today));
    await recordVisit(db, actor, { householdId: h.id, channel: 'door', outcome: 'helped', people: [], services: [], at: '2099-01-01T00:00:00.000Z' });
    expect(await followUpsDueCount(db, today)).toBe(1);
    await deleteHousehold(db, actor, h.id);
    expect(await followUpsDueCount(db, today)).toBe(0);
    expect(dueCount(await followUps(db, today), today)).toBe(0);
  });

  it('stays equal to the list through 120 random pulls, tombstones and removals', async () => {
    const db = freshDb();
    const r = rng(11);
    const households: Household[] = [];
    const people: Person[] = [];
    const visits: Visit[] = [];
    for (let step = 0; step < 120; step++) {
      const changes: PullChange[] = [];
      for (let k = r.int(1, 6); k > 0; k--) {
        const roll = r.next();
        if (roll < 0.2 || households.length === 0) {
          const h = createHouseholdRecord();
          households.push(h);
          changes.push(put('household', h));
        } else if (roll < 0.45) {
          const p = r.chance(0.5) ? blocked(r.pick(households).id) : createPersonRecord(r.pick(households).id);
          people.push(p);
          changes.push(put('person', p));
        } else if (roll < 0.75) {
          const day = `2026-08-${String(r.int(1, 15)).padStart(2, '0')}`;
          const v = r.chance(0.5) ? revisit(r.pick(households).id, day, r.chance(0.3) ? { followUpOn: `2026-08-${String(r.int(1, 20)).padStart(2, '0')}` } : {}) : createVisitRecord(r.pick(households).id, { at: `${day}T10:00:00.000Z` });
          visits.push(v);
          changes.push(put('visit', v));
        } else if (roll < 0.85) {
          const [entity, list] = r.pick([['household', households], ['person', people], ['visit', visits]] as const);
          if (list.length) changes.push(tombstone(entity, r.pick(list as Array<Household | Person | Visit>)));
        } else {
          const [entity, list] = r.pick([['household', households], ['person', people], ['visit', visits]] as const);
          if (list.length) changes.push(removal(entity, r.pick(list as Array<Household | Person | Visit>).id));
        }
      }
      await pull(db, ...changes);
      const fromList = dueCount(await followUps(db, TODAY), TODAY);
      expect(await followUpsDueCount(db, TODAY), `after step ${step}`).toBe(fromList);
    }
    expect(await followUpsDueCount(db, TODAY)).toBeGreaterThan(0);
  }, 60_000);

  it('reads no rows: two index counts', async () => {
    const db = freshDb();
    const calls: string[] = [];
    db.use({
      stack: 'dbcore',
      name: 'log',
      create: (down) => ({
        ...down,
        table(name): DBCoreTable {
          const t = down.table(name);
          return {
            ...t,
            get: (q) => (calls.push(`${name}.get`), t.get(q)),
            getMany: (q) => (calls.push(`${name}.getMany`), t.getMany(q)),
            query: (q) => (calls.push(`${name}.query`), t.query(q)),
            openCursor: (q) => (calls.push(`${name}.openCursor`), t.openCursor(q)),
            count: (q) => (calls.push(`${name}.count`), t.count(q)),
          };
        },
      }),
    });
    await followUpsDueCount(db, TODAY);
    expect(calls.sort()).toEqual(['people.count', 'visits.count']);
  });
});
