import { describe, expect, it } from 'vitest';
import { createHousehold, createPerson, recordVisit } from './repo';
import { coverage, followUps, householdsByGroup, localDate } from './queries';
import { actor, freshDb, createHouseholdInput, createPersonInput } from '../../../tests/factories/records';

const year = new Date().getFullYear();

async function add(db: ReturnType<typeof freshDb>, house: string, lane: string, over = {}) {
  const r = await createHousehold(db, actor, createHouseholdInput({ address: { houseNumber: house, lane, street: 'Hàng Bông' }, ...over }));
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.record;
}

describe('household list order', () => {
  it('puts priority households first, then never visited, then the rest', async () => {
    const db = freshDb();
    const visited = await add(db, '1', 'Ngõ 1');
    const never = await add(db, '2', 'Ngõ 1');
    const nearPoor = await add(db, '3', 'Ngõ 1', { povertyStatus: 'near_poor' });
    const elderly = await add(db, '4', 'Ngõ 1');
    await createPerson(db, actor, elderly.id, createPersonInput({ birthYear: year - 72 }));
    await recordVisit(db, actor, { householdId: visited.id, channel: 'door', outcome: 'helped', people: [], services: [] });
    const items = await householdsByGroup(db, 'TDP 5');
    expect(items.map((i) => i.household.id)).toEqual([nearPoor.id, elderly.id, never.id, visited.id]);
    expect(items[1]!.reasons).toEqual(['elderly']);
    expect(items[3]!.lastVisit?.outcome).toBe('helped');
  });
});

describe('coverage', () => {
  it('counts doors per lane by the latest knock and lists the unknocked ones', async () => {
    const db = freshDb();
    const a = await add(db, '1', 'Ngõ 10');
    const b = await add(db, '2', 'Ngõ 10');
    const c = await add(db, '3', 'Ngõ 10');
    await add(db, '9', 'Ngõ 2');
    const visit = (householdId: string, outcome: 'helped' | 'not_home' | 'declined', at: string) =>
      recordVisit(db, actor, { householdId, channel: 'door', outcome, people: [], services: [], at });
    await visit(a.id, 'not_home', '2026-08-01T08:00:00.000Z');
    await visit(a.id, 'helped', '2026-08-02T08:00:00.000Z');
    await visit(b.id, 'declined', '2026-08-01T08:00:00.000Z');
    const rows = await coverage(db, 'TDP 5');
    expect(rows.map((r) => [r.lane, r.registered, r.visited, r.notHome, r.declined, r.unknocked.length])).toEqual([
      ['Ngõ 2', 1, 0, 0, 0, 1],
      ['Ngõ 10', 3, 1, 0, 1, 1],
    ]);
    expect(rows[1]!.unknocked[0]!.id).toBe(c.id);
  });
});

describe('follow-ups', () => {
  it('lists revisits until a later visit, blocked steps and escalations, by date then priority', async () => {
    const db = freshDb();
    const h1 = await add(db, '1', 'Ngõ 1');
    const h2 = await add(db, '2', 'Ngõ 1', { povertyStatus: 'poor' });
    const h3 = await add(db, '3', 'Ngõ 1');
    await recordVisit(db, actor, { householdId: h1.id, channel: 'door', outcome: 'revisit', people: [], services: [], followUpOn: '2026-09-01' });
    await recordVisit(db, actor, { householdId: h2.id, channel: 'door', outcome: 'helped', people: [], services: [], followUpOn: '2026-09-01',
      escalate: { reason: 'identity_verification', detail: 'Cần công an phường xác minh' } });
    await recordVisit(db, actor, { householdId: h3.id, channel: 'door', outcome: 'revisit', people: [], services: [], at: '2026-08-01T08:00:00.000Z' });
    await recordVisit(db, actor, { householdId: h3.id, channel: 'door', outcome: 'helped', people: [], services: [], at: '2026-08-03T08:00:00.000Z' });
    const items = await followUps(db, '2026-08-10');
    expect(items.map((i) => [i.household?.id, i.kind, i.due, i.priority])).toEqual([
      [h2.id, 'escalation', '2026-09-01', true],
      [h1.id, 'revisit', '2026-09-01', false],
    ]);
    expect(localDate(new Date(2026, 0, 5))).toBe('2026-01-05');
  });
});
