// Home counts the follow-ups due from the `_due` index (followUpsDueCount), not
// from the list. These tests hold the count to the list's own answer
// (dueCount(followUps())) across repository writes, pulled pages, tombstones,
// out-of-scope removals, conflict resolutions and escalation cases (a resolved
// case clears its escalation from the list, so from the count too).
import { describe, expect, it } from 'vitest';
import type { DBCoreTable } from 'dexie';
import { dueCount, followUps, followUpsDueCount } from './queries';
import { storePulledPage, pullCursor } from './pulledPages';
import { createPerson, deleteHousehold, recordVisit, setPersonStep, updateCase } from './repo';
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
import { uuidv7 } from '../../shared/ids';
import type { PullChange } from '../../shared/protocol';
import type { Case, Household, Person, Visit } from '../../shared/schemas';

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
const put = (entity: 'household' | 'person' | 'visit' | 'case', record: Household | Person | Visit | Case): PullChange => ({
  entity,
  id: record.id,
  record,
  version: ++version,
});
const removal = (entity: 'household' | 'person' | 'visit' | 'case', id: string): PullChange => ({
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
/** The server's case of an escalated visit, as a pull brings it. */
const caseOf = (v: Visit, o: Partial<Case> = {}): Case => ({
  id: uuidv7(),
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
  deleted: false,
  wardCode: v.wardCode,
  visitId: v.id,
  ...(v.householdId ? { householdId: v.householdId } : {}),
  group: 'TDP 1',
  reason: v.escalate!.reason,
  status: 'open',
  ...o,
});
const resolved = { status: 'resolved', resolution: 'Đã mở khoá', resolvedAt: '2026-08-09T10:00:00.000Z' } as const;
const blocked = (householdId: string, o: Partial<Person> = {}) => {
  const p = createPersonRecord(householdId, { updatedAt: '2026-08-01T00:00:00.000Z', ...o });
  p.platforms.vneid.steps.level2 = { status: 'blocked', blocker: 'nfc_unreadable' };
  return p;
};

describe('the follow-ups due count from the index', () => {
  it('is the version-5 database (version 4 brought the follow-up index it counts from)', () => {
    expect(DB_SCHEMA_VERSION).toBe(5);
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

  it('drops an escalation whose pulled case is resolved, exactly as the list does, and keeps a revisit asked for', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const h2 = createHouseholdRecord();
    const escalate = { reason: 'account_problem', detail: 'Khoá tài khoản' } as const;
    const esc = createVisitRecord(h.id, { at: '2026-08-05T09:00:00.000Z', escalate });
    const escRevisit = createVisitRecord(h2.id, { at: '2026-08-05T09:00:00.000Z', outcome: 'revisit', escalate });
    const walkIn = createVisitRecord('', { householdId: undefined, channel: 'literacy_point', literacyPointId: 'P1', at: '2026-08-04T09:00:00.000Z', escalate });
    await pull(db, put('household', h), put('household', h2), put('visit', esc), put('visit', escRevisit), put('visit', walkIn));
    await expectCount(db, 3);
    // Open and in-progress cases leave every escalation standing.
    const c = caseOf(esc);
    const c2 = caseOf(escRevisit);
    const cw = caseOf(walkIn);
    await pull(db, put('case', c), put('case', c2), put('case', { ...cw, status: 'in_progress', assigneeId: 'resp-1' }));
    await expectCount(db, 3);
    // Resolved: the household's escalation and the walk-in's go; the revisit the volunteer asked for stays.
    await pull(db, put('case', { ...c, ...resolved }));
    await expectCount(db, 2);
    await pull(db, put('case', { ...c2, ...resolved }), put('case', { ...cw, ...resolved }));
    await expectCount(db, 1);
    expect((await followUps(db, TODAY)).map((f) => [f.kind, f.visit?.id])).toEqual([['revisit', escRevisit.id]]);
    // Reopened, it is due again; a case leaving scope takes its resolution with it.
    await pull(db, put('case', { ...c, status: 'in_progress', updatedAt: '2026-08-09T11:00:00.000Z' }));
    await expectCount(db, 2);
    await pull(db, removal('case', cw.id));
    await expectCount(db, 3);
    // A visit pulled again after its case was resolved stays cleared.
    await pull(db, put('case', { ...cw, ...resolved }), put('visit', { ...walkIn, updatedAt: '2026-08-09T12:00:00.000Z' }));
    await expectCount(db, 2);
  });

  it('follows a visit or a person pulled into another household: the old household\'s latest visit is worked out again', async () => {
    const db = freshDb();
    const [h1, h2] = [createHouseholdRecord(), createHouseholdRecord()];
    const older = revisit(h1.id, '2026-08-02');
    const latest = revisit(h1.id, '2026-08-05');
    const person = blocked(h1.id);
    await pull(db, put('household', h1), put('household', h2), put('visit', older), put('visit', latest), put('person', person));
    await expectCount(db, 2); // h1's latest visit and the blocked person
    await pull(db, put('visit', { ...latest, householdId: h2.id, updatedAt: '2026-08-06T00:00:00.000Z' }));
    await expectCount(db, 3); // now each household's latest is a revisit
    await pull(db, tombstone('household', h2));
    await expectCount(db, 2);
    await pull(db, put('person', { ...person, householdId: h2.id, updatedAt: '2026-08-07T00:00:00.000Z' }));
    await expectCount(db, 1); // the person's new household is gone
    expect((await followUps(db, TODAY)).map((f) => f.visit?.id)).toEqual([older.id]);
  });

  it('follows a case resolved on this device (updateCase) in the same transaction', async () => {
    const db = freshDb();
    const h = createHouseholdRecord();
    const esc = createVisitRecord(h.id, { at: '2026-08-05T09:00:00.000Z', escalate: { reason: 'technical', detail: 'Máy cũ' } });
    const c = caseOf(esc);
    await pull(db, put('household', h), put('visit', esc), put('case', c));
    await expectCount(db, 1);
    const done = await updateCase(db, actor, c.id, { status: 'resolved', resolution: 'Đã cài lại' });
    expect(done.ok).toBe(true);
    await expectCount(db, 0);
    expect((await updateCase(db, actor, c.id, { status: 'in_progress' })).ok).toBe(true);
    await expectCount(db, 1);
  });

  it('stays equal to the list through 120 random pulls, moves between households, tombstones and removals', async () => {
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
        } else if (roll < 0.8) {
          // A person or a visit moved to another household (the old one may lose or regain its latest visit).
          const to = r.pick(households).id;
          const updatedAt = `2026-08-${String(r.int(1, 15)).padStart(2, '0')}T11:00:00.000Z`;
          if (r.chance(0.5) && people.length) {
            const i = people.indexOf(r.pick(people));
            people[i] = { ...people[i]!, householdId: to, updatedAt };
            changes.push(put('person', people[i]!));
          } else if (visits.length) {
            const i = visits.indexOf(r.pick(visits));
            visits[i] = { ...visits[i]!, householdId: to, updatedAt };
            changes.push(put('visit', visits[i]!));
          }
        } else if (roll < 0.87) {
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

  it('stays equal to the list through 80 random pulls of escalated visits and their cases', async () => {
    const db = freshDb();
    const r = rng(23);
    const households: Household[] = [];
    const escalated: Visit[] = [];
    const cases = new Map<string, Case>();
    for (let step = 0; step < 80; step++) {
      const changes: PullChange[] = [];
      for (let k = r.int(1, 5); k > 0; k--) {
        const roll = r.next();
        if (roll < 0.15 || households.length === 0) {
          const h = createHouseholdRecord();
          households.push(h);
          changes.push(put('household', h));
        } else if (roll < 0.45) {
          const day = `2026-08-${String(r.int(1, 15)).padStart(2, '0')}`;
          const walkIn = r.chance(0.25);
          const v = createVisitRecord(walkIn ? '' : r.pick(households).id, {
            at: `${day}T10:00:00.000Z`,
            outcome: r.chance(0.3) ? 'revisit' : 'helped',
            ...(r.chance(0.2) ? { followUpOn: `2026-08-${String(r.int(1, 20)).padStart(2, '0')}` } : {}),
            ...(r.chance(0.7) ? { escalate: { reason: 'technical', detail: 'Máy cũ' } } : {}),
            ...(walkIn ? { householdId: undefined, channel: 'literacy_point', literacyPointId: 'P1' } : {}),
          });
          if (v.escalate) escalated.push(v);
          changes.push(put('visit', v));
        } else if (roll < 0.85 && escalated.length) {
          const v = r.pick(escalated);
          const before = cases.get(v.id) ?? caseOf(v);
          const c: Case = r.chance(0.5) ? { ...before, ...resolved } : { ...before, status: r.chance(0.5) ? 'open' : 'in_progress' };
          if (c.status !== 'resolved') {
            delete c.resolution;
            delete c.resolvedAt;
          }
          cases.set(v.id, c);
          changes.push(put('case', c));
        } else if (roll < 0.92 && cases.size) {
          const c = r.pick([...cases.values()]);
          cases.delete(c.visitId);
          changes.push(removal('case', c.id));
        } else if (escalated.length) {
          changes.push(tombstone('visit', r.pick(escalated)));
        }
      }
      await pull(db, ...changes);
      const fromList = dueCount(await followUps(db, TODAY), TODAY);
      expect(await followUpsDueCount(db, TODAY), `after step ${step}`).toBe(fromList);
    }
    expect([...cases.values()].some((c) => c.status === 'resolved')).toBe(true);
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
