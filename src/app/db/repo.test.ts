import { describe, expect, it } from 'vitest';
import {
  createHousehold,
  createPerson,
  deleteHousehold,
  recordVisit,
  setIndependent,
  setPersonStep,
  updateHousehold,
} from './repo';
import { actor, freshDb, createHouseholdInput, createPersonInput } from '../../../tests/factories/records';

async function seedHousehold(db = freshDb()) {
  const h = await createHousehold(db, actor, createHouseholdInput());
  if (!h.ok) throw new Error('seed failed');
  return { db, household: h.record };
}

async function seedPerson(db = freshDb()) {
  const { household } = await seedHousehold(db);
  const p = await createPerson(db, actor, household.id, createPersonInput());
  if (!p.ok) throw new Error('seed failed');
  return { db, household, person: p.record };
}

/** A door visit to `householdId` with nobody helped; `overrides` says what the test is about. */
function doorVisit(householdId: string, overrides: Partial<Parameters<typeof recordVisit>[2]> = {}): Parameters<typeof recordVisit>[2] {
  return { householdId, channel: 'door', outcome: 'helped', people: [], services: [], ...overrides };
}

describe('repository writes', () => {
  it('creating a household writes the record and exactly one outbox entry with all fields', async () => {
    const { db, household } = await seedHousehold();
    expect(await db.households.count()).toBe(1);
    const outbox = await db.outbox.toArray();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ entity: 'household', id: household.id, op: 'upsert' });
    expect(outbox[0]!.fields).toMatchObject({ headName: 'Nguyễn Văn An', phone: '0912345678', group: 'TDP 5' });
    expect(outbox[0]!.fields).not.toHaveProperty('id');
    expect(household.phone).toBe('0912345678');
    expect(household.consent).toMatchObject({ given: true, by: 'vol-1' });
  });

  it('creating a person and a visit writes one outbox entry each', async () => {
    const { db, household } = await seedHousehold();
    const p = await createPerson(db, actor, household.id, createPersonInput());
    expect(p.ok).toBe(true);
    const v = await recordVisit(db, actor, doorVisit(household.id, { outcome: 'not_home' }));
    expect(v.ok).toBe(true);
    const outbox = await db.outbox.orderBy('seq').toArray();
    expect(outbox.map((e) => e.entity)).toEqual(['household', 'person', 'visit']);
  });

  it('an update writes only the changed fields, with their base values', async () => {
    const { db, household } = await seedHousehold();
    const r = await updateHousehold(db, actor, household.id, { notes: 'Cụ ông nghe kém, nói to' });
    expect(r.ok).toBe(true);
    const last = (await db.outbox.orderBy('seq').toArray()).at(-1)!;
    expect(last.fields).toEqual({ notes: 'Cụ ông nghe kém, nói to' });
    expect(last.base).toEqual({ notes: null });
  });

  it('an update that changes nothing writes no outbox entry', async () => {
    const { db, household } = await seedHousehold();
    await updateHousehold(db, actor, household.id, { headName: 'Nguyễn Văn An' });
    expect(await db.outbox.count()).toBe(1);
  });

  it('a step tap queues only that platform', async () => {
    const { db, person: p } = await seedPerson();
    await setPersonStep(db, actor, p.id, 'vneid', 'installed', { status: 'done' });
    await setIndependent(db, actor, p.id, 'ihanoi', true);
    const [, , step, alone] = await db.outbox.orderBy('seq').toArray();
    expect(Object.keys(step!.fields)).toEqual(['platforms.vneid']);
    expect(Object.keys(alone!.fields)).toEqual(['platforms.ihanoi']);
  });

  it('invalid input returns per-field errors and writes nothing', async () => {
    const db = freshDb();
    const r = await createHousehold(db, actor, createHouseholdInput({ phone: '12345', address: { houseNumber: '', street: 'Hàng Bông' } }));
    expect(r).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { 'address.houseNumber': 'validation.required', phone: 'validation.phone' },
    });
    expect(await db.households.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it('a person cannot be added to a household that gave no consent', async () => {
    const db = freshDb();
    const h = await createHousehold(db, actor, createHouseholdInput({ consentGiven: false, headName: undefined, phone: undefined }));
    if (!h.ok) throw new Error(JSON.stringify(h));
    expect(await createPerson(db, actor, h.record.id, createPersonInput())).toEqual({ ok: false, reason: 'consent_required' });
    expect(await db.people.count()).toBe(0);
  });

  it('a failure mid-write leaves neither the record nor the outbox entry', async () => {
    const db = freshDb();
    // Fail the second write of the transaction, after the record itself was put.
    db.outbox.hook('creating', () => {
      throw new Error('disk exploded');
    });
    await expect(createHousehold(db, actor, createHouseholdInput())).rejects.toThrow('disk exploded');
    expect(await db.households.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it('a quota error is reported as a value and nothing is written', async () => {
    const db = freshDb();
    db.outbox.hook('creating', () => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    expect(await createHousehold(db, actor, createHouseholdInput())).toEqual({ ok: false, reason: 'quota' });
    expect(await db.households.count()).toBe(0);
  });

  it('recording a visit updates the visited person in the same transaction', async () => {
    const { db, household, person: p } = await seedPerson();
    const v = await recordVisit(db, actor, {
      householdId: household.id,
      channel: 'door',
      outcome: 'helped',
      people: [
        {
          personId: p.id,
          steps: [
            { platform: 'vneid', step: 'level2', status: 'done' },
            { platform: 'ihanoi', step: 'registered', status: 'blocked', blocker: 'sim_not_own_name' },
          ],
          independent: ['vneid'],
        },
      ],
      services: ['Đăng ký tạm trú', '  '],
    });
    if (!v.ok) throw new Error(JSON.stringify(v));
    expect(v.record.services).toEqual(['Đăng ký tạm trú']);
    const person = await db.people.get(p.id);
    expect(person!.platforms.vneid.steps.level2).toEqual({ status: 'done' });
    expect(person!.platforms.vneid.independent).toBe(true);
    expect(person!.platforms.ihanoi.steps.registered).toEqual({ status: 'blocked', blocker: 'sim_not_own_name' });
    expect(person!._blocked).toBe(1);
    const entries = await db.outbox.orderBy('seq').toArray();
    expect(entries.map((e) => e.entity)).toEqual(['household', 'person', 'visit', 'person']);
  });

  it('a visit that fails validation writes neither the visit nor person changes', async () => {
    const { db, household } = await seedHousehold();
    const r = await recordVisit(db, actor, doorVisit(household.id, { people: [{ steps: [{ platform: 'ihanoi', step: 'level2', status: 'done' }] }] }));
    expect(r).toMatchObject({ ok: false, reason: 'invalid', errors: { 'people.0.steps.0.step': 'validation.unknownStep' } });
    expect(await db.visits.count()).toBe(0);
  });

  it('a new escalation needs its detail, though a stored (erased) one may lack it', async () => {
    const { db, household } = await seedHousehold();
    const r = await recordVisit(db, actor, doorVisit(household.id, { escalate: { reason: 'identity_verification', detail: '  ' } }));
    expect(r).toMatchObject({ ok: false, reason: 'invalid', errors: { 'escalate.detail': 'validation.required' } });
    expect(await db.visits.count()).toBe(0);
  });

  it('deleting a household leaves a tombstone and queues a delete', async () => {
    const { db, household } = await seedHousehold();
    await deleteHousehold(db, actor, household.id);
    expect((await db.households.get(household.id))!.deleted).toBe(true);
    const last = (await db.outbox.orderBy('seq').toArray()).at(-1)!;
    expect(last).toMatchObject({ op: 'delete', fields: { deleted: true } });
  });
});

describe('concurrent checklist taps', () => {
  it('three overlapping taps on one person all survive', async () => {
    const { db, person: p } = await seedPerson();
    await Promise.all([
      setPersonStep(db, actor, p.id, 'vneid', 'installed', { status: 'done' }),
      setPersonStep(db, actor, p.id, 'vneid', 'registered', { status: 'done' }),
      setIndependent(db, actor, p.id, 'vneid', true),
    ]);
    const person = await db.people.get(p.id);
    expect(person!.platforms.vneid.steps.installed.status).toBe('done');
    expect(person!.platforms.vneid.steps.registered.status).toBe('done');
    expect(person!.platforms.vneid.independent).toBe(true);
  });
});

describe('visit people', () => {
  it('a visit cannot record progress for someone from another household, and writes nothing', async () => {
    const db = freshDb();
    const h1 = await createHousehold(db, actor, createHouseholdInput());
    const h2 = await createHousehold(db, actor, createHouseholdInput({ headName: 'Lê Văn Bảo' }));
    if (!h1.ok || !h2.ok) throw new Error();
    const p = await createPerson(db, actor, h2.record.id, createPersonInput());
    if (!p.ok) throw new Error();
    const r = await recordVisit(db, actor, {
      householdId: h1.record.id, channel: 'door', outcome: 'helped', services: [],
      people: [{ personId: p.record.id, steps: [{ platform: 'vneid', step: 'installed', status: 'done' }] }],
    });
    expect(r).toEqual({ ok: false, reason: 'invalid', errors: { 'people.0.personId': 'validation.personNotInHousehold' } });
    expect(await db.visits.count()).toBe(0);
    expect((await db.people.get(p.record.id))!.platforms.vneid.steps.installed.status).toBe('not_started');
  });
});

describe('consent withdrawn', () => {
  it('tombstones the household\'s people in the same transaction and queues their deletes', async () => {
    const { db, household: h, person: p } = await seedPerson();
    const r = await updateHousehold(db, actor, h.id, { consentGiven: false, headName: '', phone: '', notes: '' });
    expect(r.ok).toBe(true);
    expect((await db.people.get(p.id))!.deleted).toBe(true);
    const last = (await db.outbox.orderBy('seq').toArray()).at(-1)!;
    expect(last).toMatchObject({ entity: 'person', id: p.id, op: 'delete' });
    const household = await db.households.get(h.id);
    expect(household!.headName).toBeUndefined();
    expect(household!.consent.given).toBe(false);
  });
});
