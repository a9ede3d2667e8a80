import { describe, expect, it } from 'vitest';
import { emptyPlatforms, fieldErrors, householdSchema, personSchema, visitSchema } from './schemas';
import { uuidv7 } from './ids';

const now = new Date().toISOString();
const base = () => ({ id: uuidv7(), createdAt: now, updatedAt: now, deleted: false, wardCode: 'CUANAM' });

const makePerson = (over: Record<string, unknown> = {}) => ({
  ...base(),
  householdId: uuidv7(),
  fullName: 'Nguyễn Thị Lan',
  birthYear: 1954,
  flags: { disability: false, livesAlone: true },
  platforms: emptyPlatforms(),
  ...over,
});

const makeHousehold = (over: Record<string, unknown> = {}) => ({
  ...base(),
  group: 'TDP 5',
  address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' },
  headName: 'Trần Văn Minh',
  povertyStatus: 'none',
  consent: { given: true, at: now, by: 'vol-1' },
  ...over,
});

function errorsOf(schema: { safeParse: (v: unknown) => { success: boolean; error?: unknown } }, v: unknown) {
  const r = schema.safeParse(v);
  expect(r.success).toBe(false);
  return fieldErrors(r.error as never);
}

describe('person schema', () => {
  it('accepts a valid person', () => {
    expect(personSchema.safeParse(makePerson()).success).toBe(true);
  });
  it('rejects an empty name with a "required" message on fullName', () => {
    expect(errorsOf(personSchema, makePerson({ fullName: '   ' }))).toEqual({ fullName: 'validation.required' });
  });
  it('rejects a birth year of 1800', () => {
    expect(errorsOf(personSchema, makePerson({ birthYear: 1800 }))).toEqual({ birthYear: 'validation.birthYear' });
  });
  it('rejects a birth year in the future', () => {
    const next = new Date().getFullYear() + 1;
    expect(errorsOf(personSchema, makePerson({ birthYear: next }))).toEqual({ birthYear: 'validation.birthYear' });
  });
  it('rejects the phone 12345', () => {
    expect(errorsOf(personSchema, makePerson({ phone: '12345' }))).toEqual({ phone: 'validation.phone' });
  });
  it('normalises +84 phones to 0XXXXXXXXX', () => {
    const r = personSchema.parse(makePerson({ phone: '+84 912 345 678' }));
    expect(r.phone).toBe('0912345678');
  });
  it('rejects an unknown platform step', () => {
    const platforms = emptyPlatforms() as unknown as Record<string, { steps: Record<string, unknown> }>;
    platforms.vneid!.steps.faceScan = { status: 'done' };
    const errs = errorsOf(personSchema, makePerson({ platforms }));
    expect(Object.keys(errs)).toEqual(['platforms.vneid.steps']);
  });
  it('requires a blocker on a blocked step and text for "other"', () => {
    const p = emptyPlatforms();
    p.ihanoi.steps.installed = { status: 'blocked' };
    expect(errorsOf(personSchema, makePerson({ platforms: p }))).toEqual({
      'platforms.ihanoi.steps.installed.blocker': 'validation.blockerRequired',
    });
    p.ihanoi.steps.installed = { status: 'blocked', blocker: 'other' };
    expect(errorsOf(personSchema, makePerson({ platforms: p }))).toEqual({
      'platforms.ihanoi.steps.installed.blockerText': 'validation.blockerText',
    });
  });
  it('has no place for a national ID number or a password', () => {
    expect(errorsOf(personSchema, makePerson({ nationalId: '001090012345' }))).toHaveProperty(['']);
    expect(errorsOf(personSchema, makePerson({ vneidPassword: 'x' }))).toHaveProperty(['']);
  });
});

describe('household schema', () => {
  it('accepts a valid household', () => {
    expect(householdSchema.safeParse(makeHousehold()).success).toBe(true);
  });
  it('keeps no personal detail without consent', () => {
    const errs = errorsOf(
      householdSchema,
      makeHousehold({ consent: { given: false, at: now, by: 'vol-1' }, phone: '0912345678' }),
    );
    expect(errs).toEqual({ headName: 'validation.consentRequired', phone: 'validation.consentRequired' });
  });
  it('allows an address-only door without consent, for coverage', () => {
    const h = makeHousehold({ consent: { given: false, at: now, by: 'vol-1' } });
    delete (h as Record<string, unknown>).headName;
    expect(householdSchema.safeParse(h).success).toBe(true);
  });
  it('requires a street and a house number', () => {
    expect(errorsOf(householdSchema, makeHousehold({ address: { houseNumber: '', street: '' } }))).toEqual({
      'address.houseNumber': 'validation.required',
      'address.street': 'validation.required',
    });
  });
});

describe('visit schema', () => {
  const visit = (over: Record<string, unknown> = {}) => ({
    ...base(),
    householdId: uuidv7(),
    channel: 'door',
    at: now,
    volunteerId: 'vol-1',
    outcome: 'helped',
    people: [{ personId: uuidv7(), steps: [{ platform: 'vneid', step: 'level2', status: 'done' }] }],
    services: [],
    ...over,
  });
  it('accepts a valid visit', () => {
    expect(visitSchema.safeParse(visit()).success).toBe(true);
  });
  it('rejects a step that does not belong to the platform', () => {
    const errs = errorsOf(
      visitSchema,
      visit({ people: [{ steps: [{ platform: 'ihanoi', step: 'level2', status: 'done' }] }] }),
    );
    expect(errs).toEqual({ 'people.0.steps.0.step': 'validation.unknownStep' });
  });
  it('needs a literacy point for a walk-in', () => {
    expect(errorsOf(visitSchema, visit({ channel: 'literacy_point', householdId: undefined }))).toEqual({
      literacyPointId: 'validation.required',
    });
  });
});
