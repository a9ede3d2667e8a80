import { describe, expect, it } from 'vitest';
import { applyFields, diffFields, allFields, fieldKeyOfPath, fieldKeysOf, platformKey, platformOfKey, sameValue } from './fields';

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

describe('field-key format', () => {
  it.each([
    ['platforms.vneid', 'vneid'],
    ['platforms.mpsPortal', 'mpsPortal'],
  ])('reads the platform out of %s', (key, platform) => {
    expect(platformOfKey(key)).toBe(platform);
  });

  it.each(['headName', 'platforms', 'platformsvneid'])('treats %s as a top-level key', (key) => {
    expect(platformOfKey(key)).toBeUndefined();
  });

  it('a platform key reads back as its platform', () => {
    expect(platformOfKey(platformKey('ihanoi'))).toBe('ihanoi');
  });

  it.each([
    [['platforms', 'vneid', 'steps', 'installed'], ['platforms.vneid', ['steps', 'installed']]],
    [['platforms'], ['platforms', []]],
    [['address', 'lane'], ['address', ['lane']]],
  ])('the record path %j is field key and rest %j', (path, expected) => {
    expect(fieldKeyOfPath(path)).toEqual(expected);
  });

  it('the field keys of a record leave out identity keys and split platforms per platform', () => {
    expect([...fieldKeysOf(['id', 'createdAt', 'updatedAt', 'fullName', 'platforms'])]).toEqual([
      'fullName',
      'platforms.vneid',
      'platforms.ihanoi',
      'platforms.nationalPortal',
      'platforms.mpsPortal',
    ]);
  });
});
