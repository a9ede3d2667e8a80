// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { allFields, type Fields } from '../shared/fields';
import type { Mutation } from '../shared/protocol';
import type { Entity } from '../shared/schemas';
import { createHouseholdRecord as household, createPersonRecord as person } from '../../tests/factories/records';
import { ApiError, Rejection } from './errors';
import { checkConflictValues, checkMutationInput, checkStrayKeys, inSeqOrder, validateRecord, withoutStrayKeys } from './mutation-checks';

/** The Rejection that fn throws, as { code, path }, or undefined when it throws nothing. */
function rejectionOf(fn: () => unknown): { code: string; path: string | undefined } | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof Rejection) return { code: error.code, path: error.path };
    throw error;
  }
  return undefined;
}

const h = household();
const p = person(h.id);

describe('checkMutationInput', () => {
  it.each<[string, Entity, Fields, Fields | undefined]>([
    ['a whole household', 'household', allFields(h), undefined],
    ['a whole person, checklists per platform', 'person', allFields(p), undefined],
    ['identity keys, which are ignored', 'household', { id: h.id, createdAt: h.createdAt, updatedAt: h.updatedAt, notes: 'x' }, undefined],
    ['an update with its base', 'household', { notes: 'new' }, { notes: 'old' }],
  ])('accepts %s', (_label, entity, fields, base) => {
    expect(rejectionOf(() => checkMutationInput({ entity, fields, base }))).toBeUndefined();
  });

  it.each<[string, Entity, Fields, Fields | undefined, string]>([
    ['an unknown top-level key', 'household', { nationalId: '0123' }, undefined, 'nationalId'],
    ['a key of another entity', 'household', { fullName: 'Lan' }, undefined, 'fullName'],
    ['the whole platforms object instead of per-platform keys', 'person', { platforms: p.platforms }, undefined, 'platforms'],
    ['an unknown platform', 'person', { 'platforms.bogus': p.platforms.vneid }, undefined, 'platforms.bogus'],
    ['a prototype key', 'household', JSON.parse('{"__proto__": {"x": 1}}') as Fields, undefined, '__proto__'],
    ['a NUL in a field', 'household', { notes: 'a\u0000b' }, undefined, 'notes'],
    ['a NUL in the base', 'household', { notes: 'a' }, { notes: 'b\u0000' }, 'base.notes'],
    ['an unknown key nested in a field', 'household', { address: { ...h.address, nationalId: '0123' } }, undefined, 'address.nationalId'],
    ['an unknown key nested in a checklist', 'person', { 'platforms.vneid': { ...p.platforms.vneid, password: 'x' } }, undefined, 'platforms.vneid.password'],
    ['an unknown key in the base', 'household', { notes: 'a' }, { nationalId: '0123' }, 'base.nationalId'],
  ])('rejects %s as invalid_record at its path', (_label, entity, fields, base, path) => {
    expect(rejectionOf(() => checkMutationInput({ entity, fields, base }))).toEqual({ code: 'invalid_record', path });
  });
});

describe('checkStrayKeys', () => {
  // The fast path (each value valid for its own field) and the whole-record
  // parse it falls back to must find the same stray keys.
  it.each<[string, Entity, Fields, string]>([
    ['a stray key beside an invalid value of another field', 'household', { povertyStatus: 'rich', address: { ...h.address, nationalId: '0123' } }, 'address.nationalId'],
    ['a stray key inside a field whose other values are invalid', 'household', { address: { lane: 42, nationalId: '0123' } }, 'address.nationalId'],
    ['a stray key in one checklist beside a null one', 'person', { 'platforms.ihanoi': null, 'platforms.vneid': { ...p.platforms.vneid, password: 'x' } }, 'platforms.vneid.password'],
  ])('rejects %s', (_label, entity, fields, path) => {
    expect(rejectionOf(() => checkStrayKeys({ entity, fields }, false))).toEqual({ code: 'invalid_record', path });
  });

  it.each<[string, Entity, Fields]>([
    ['invalid values without stray keys (validation comes later)', 'household', { povertyStatus: 'rich', notes: 42 }],
    ['a top-level null (a cleared field)', 'household', { notes: null }],
  ])('accepts %s', (_label, entity, fields) => {
    expect(rejectionOf(() => checkStrayKeys({ entity, fields }, false))).toBeUndefined();
  });

  it('skips the fields a caller proved clean, but still checks the base', () => {
    const fields = { address: { ...h.address, nationalId: '0123' } };
    expect(rejectionOf(() => checkStrayKeys({ entity: 'household', fields }, true))).toBeUndefined();
    expect(rejectionOf(() => checkStrayKeys({ entity: 'household', fields: {}, base: fields }, true))).toEqual({ code: 'invalid_record', path: 'base.address.nationalId' });
  });
});

describe('withoutStrayKeys', () => {
  it('drops unknown keys at the top level and nested in fields, and keeps everything else', () => {
    const fields = { notes: 'n', nationalId: '0123', address: { ...h.address, nationalId: '0123' } };
    expect(withoutStrayKeys('household', fields)).toEqual({ notes: 'n', address: h.address });
    expect(fields.address.nationalId).toBe('0123'); // a copy: the input is untouched
  });
});

describe('inSeqOrder', () => {
  const m = (seq: number): Mutation => ({ seq, entity: 'household', id: h.id, op: 'upsert', fields: {}, at: h.createdAt });

  it('sorts the mutations by seq', () => {
    expect(inSeqOrder([m(3), m(1), m(2)]).map((x) => x.seq)).toEqual([1, 2, 3]);
  });

  it('refuses the whole push with 400 invalid_request when two mutations share a seq', () => {
    expect(() => inSeqOrder([m(2), m(1), m(2)])).toThrow(ApiError);
    expect(() => inSeqOrder([m(2), m(1), m(2)])).toThrow('Two mutations in one push share a seq');
  });
});

describe('validateRecord', () => {
  it('returns the record as the schema normalises it', () => {
    expect(validateRecord('household', { ...h, phone: '0912 345 678' }).phone).toBe('0912345678');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing required field', { ...h, address: { ...h.address, street: '' } }, 'address.street'],
    ['a phone number that is not one', { ...h, phone: '12' }, 'phone'],
  ])('rejects %s as invalid_record at its path', (_label, record, path) => {
    expect(rejectionOf(() => validateRecord('household', record))).toEqual({ code: 'invalid_record', path });
  });
});

describe('checkConflictValues', () => {
  const conflict = (field: string, clientValue: unknown, baseValue: unknown = null) => ({ field, serverValue: null, clientValue, baseValue });

  it.each([
    ['valid client and base values', [conflict('phone', '0912345678', '0987654321')]],
    ['null (cleared) for an optional field', [conflict('phone', null, '0987654321')]],
    ['a valid checklist', [conflict('platforms.vneid', p.platforms.vneid, p.platforms.vneid)]],
  ])('accepts %s', (_label, conflicts) => {
    expect(rejectionOf(() => checkConflictValues('person', conflicts))).toBeUndefined();
  });

  it.each([
    ['a client value of the wrong type', conflict('phone', 42), 'phone'],
    ['a base value of the wrong type', conflict('phone', '0912345678', { any: 'thing' }), 'phone'],
    ['null for a required field', conflict('fullName', null, 'Lan'), 'fullName'],
    ['a checklist with an unknown step', conflict('platforms.vneid', { ...p.platforms.vneid, steps: { bogus: {} } }, p.platforms.vneid), 'platforms.vneid'],
    ['a field the entity does not have', conflict('group', 'TDP 1'), 'group'],
  ])('rejects %s as invalid_record at that field', (_label, c, path) => {
    expect(rejectionOf(() => checkConflictValues('person', [c]))).toEqual({ code: 'invalid_record', path });
  });
});
