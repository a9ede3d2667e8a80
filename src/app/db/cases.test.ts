// The device's side of escalation cases: pulled like any record, shown on the
// volunteer's follow-ups, cleared there once resolved; the response team's
// queue and its edits, which go through the outbox like every other change.
import { describe, expect, it } from 'vitest';
import { createHousehold, recordVisit, updateCase } from './repo';
import { caseQueue, followUps } from './queries';
import { storePulledPage } from './pulledPages';
import type { Case, Visit } from '../../shared/schemas';
import { actor, createHouseholdInput, freshDb } from '../../../tests/factories/records';

/** The server's case of a visit, as a pull brings it (the id is the server's; any uuid does here). */
function serverCase(visit: Visit, over: Partial<Case> = {}): Case {
  return {
    id: '01900000-0000-5000-8000-00000000c0de'.replace('c0de', visit.id.slice(-4)),
    createdAt: visit.createdAt, updatedAt: visit.createdAt, deleted: false, wardCode: 'CUANAM',
    visitId: visit.id, householdId: visit.householdId, group: 'TDP 5', reason: visit.escalate!.reason,
    detail: visit.escalate!.detail, status: 'open', ...over,
  };
}

async function escalatedVisit(db: ReturnType<typeof freshDb>, over: Partial<Visit> = {}) {
  const h = await createHousehold(db, actor, createHouseholdInput());
  if (!h.ok) throw new Error('household');
  const v = await recordVisit(db, actor, { householdId: h.record.id, channel: 'door', outcome: 'helped', people: [], services: [], escalate: { reason: 'account_problem', detail: 'Khoá tài khoản' }, ...over });
  if (!v.ok) throw new Error('visit');
  return v.record;
}

const pull = (db: ReturnType<typeof freshDb>, c: Case, version: number) =>
  storePulledPage(db, { changes: [{ entity: 'case', id: c.id, record: c, version }], cursor: version, hasMore: false }, version - 1);

describe('escalation cases on the device', () => {
  it('the follow-up of an escalated visit shows its case’s status, and clears when a pulled case is resolved', async () => {
    const db = freshDb();
    const visit = await escalatedVisit(db);
    expect((await followUps(db)).map((f) => [f.kind, f.case?.status])).toEqual([['escalation', undefined]]);
    await storePulledPage(db, { changes: [], cursor: 1, hasMore: false }, 0);
    const open = serverCase(visit);
    await pull(db, { ...open, status: 'in_progress', assigneeId: 'resp-1' }, 2);
    expect((await followUps(db)).map((f) => [f.kind, f.case?.status])).toEqual([['escalation', 'in_progress']]);
    await pull(db, { ...open, status: 'resolved', assigneeId: 'resp-1', resolution: 'Đã mở khoá', resolvedAt: new Date().toISOString() }, 3);
    expect(await followUps(db)).toEqual([]);
  });

  it('a resolved case leaves a revisit the volunteer asked for, as a revisit', async () => {
    const db = freshDb();
    const visit = await escalatedVisit(db, { outcome: 'revisit' });
    await storePulledPage(db, { changes: [], cursor: 1, hasMore: false }, 0);
    await pull(db, serverCase(visit, { status: 'resolved', resolution: 'Xong', resolvedAt: new Date().toISOString() }), 2);
    expect((await followUps(db)).map((f) => [f.kind, f.case?.status])).toEqual([['revisit', 'resolved']]);
  });

  it('taking and resolving a case queues only the changed fields, with their base, and shows as pending', async () => {
    const db = freshDb();
    const visit = await escalatedVisit(db);
    await storePulledPage(db, { changes: [], cursor: 1, hasMore: false }, 0);
    const c = serverCase(visit);
    await pull(db, c, 2);
    await db.outbox.clear();
    expect((await caseQueue(db)).map((i) => i.sync)).toEqual(['synced']);

    const taken = await updateCase(db, actor, c.id, { status: 'in_progress', assigneeId: 'resp-1' });
    expect(taken.ok).toBe(true);
    const noResolution = await updateCase(db, actor, c.id, { status: 'resolved' });
    expect(noResolution).toEqual({ ok: false, reason: 'invalid', errors: { resolution: 'validation.required' } });
    expect((await updateCase(db, actor, c.id, { status: 'resolved', resolution: '  Đã mở khoá  ' })).ok).toBe(true);

    const entries = await db.outbox.orderBy('seq').toArray();
    expect(entries.map((e) => [e.entity, e.fields, e.base])).toEqual([
      ['case', { status: 'in_progress', assigneeId: 'resp-1' }, { status: 'open', assigneeId: null }],
      ['case', { status: 'resolved', resolution: 'Đã mở khoá', resolvedAt: expect.any(String) }, { status: 'in_progress', resolution: null, resolvedAt: null }],
    ]);
    const [item] = await caseQueue(db);
    expect(item).toMatchObject({ sync: 'pending', case: { status: 'resolved', resolution: 'Đã mở khoá' }, visit: { id: visit.id } });
    expect(item!.household?.id).toBe(visit.householdId);
  });

  it('the queue filters by status and reason, oldest case first', async () => {
    const db = freshDb();
    await storePulledPage(db, { changes: [], cursor: 1, hasMore: false }, 0);
    const v1 = await escalatedVisit(db);
    const v2 = await escalatedVisit(db, { escalate: { reason: 'technical', detail: 'Máy cũ' } });
    const c1 = serverCase(v1, { createdAt: '2026-08-01T01:00:00.000Z' });
    const c2 = serverCase(v2, { createdAt: '2026-07-01T01:00:00.000Z', status: 'in_progress' });
    await pull(db, c1, 2);
    await pull(db, c2, 3);
    expect((await caseQueue(db)).map((i) => i.case.id)).toEqual([c2.id, c1.id]);
    expect((await caseQueue(db, { status: 'open' })).map((i) => i.case.id)).toEqual([c1.id]);
    expect((await caseQueue(db, { reason: 'technical' })).map((i) => i.case.id)).toEqual([c2.id]);
    expect(await caseQueue(db, { status: 'open', reason: 'technical' })).toEqual([]);
  });
});
