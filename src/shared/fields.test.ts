import { describe, expect, it } from 'vitest';
import { applyFields, diffFields, allFields, sameValue } from './fields';

describe('field diffs', () => {
  it('lists only the changed top-level fields, with their base values', () => {
    const before = { id: 'a', updatedAt: '1', headName: 'A', notes: 'x', address: { street: 'S', houseNumber: '1' } };
    const after = { ...before, updatedAt: '2', notes: 'y' };
    expect(diffFields(before, after)).toEqual({ fields: { notes: 'y' }, base: { notes: 'x' } });
  });
  it('splits checklists per platform', () => {
    const before = { platforms: { vneid: { independent: false }, ihanoi: { independent: false } } };
    const after = { platforms: { vneid: { independent: true }, ihanoi: { independent: false } } };
    expect(diffFields(before, after).fields).toEqual({ 'platforms.vneid': { independent: true } });
  });
  it('reports a cleared optional field as null and applying null removes it', () => {
    const { fields } = diffFields({ phone: '0912345678' }, {});
    expect(fields).toEqual({ phone: null });
    expect(applyFields({ phone: '0912345678', a: 1 }, fields)).toEqual({ a: 1 });
  });
  it('create lists every present field and never the identity keys', () => {
    expect(allFields({ id: 'x', createdAt: 'c', updatedAt: 'u', a: 1, b: undefined })).toEqual({ a: 1 });
  });
  it('compares objects regardless of key order', () => {
    expect(sameValue({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
  });
});
