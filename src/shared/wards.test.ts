import { describe, expect, it } from 'vitest';
import { parseGroupList, wardCodeSchema, wardGroupListSchema } from './wards';

const codes = (text: string) => parseGroupList(text).groups.map((g) => g.code);

describe('parseGroupList', () => {
  it('takes one group per line, skipping blank lines and trimming spaces', () => {
    expect(parseGroupList('TDP 1\n\n  TDP 2  \r\nTDP 3\r')).toEqual({
      groups: [
        { code: 'TDP 1', name: 'TDP 1' },
        { code: 'TDP 2', name: 'TDP 2' },
        { code: 'TDP 3', name: 'TDP 3' },
      ],
      errors: [],
    });
  });

  it('collapses runs of spaces inside a code, so "TDP   4" is TDP 4', () => {
    expect(codes('TDP   4')).toEqual(['TDP 4']);
  });

  it.each([
    ['TDP 1-28', 28, 'TDP 1', 'TDP 28'],
    ['TDP 1 - 3', 3, 'TDP 1', 'TDP 3'],
    ['TDP 5–7', 3, 'TDP 5', 'TDP 7'],
    ['Tổ 01-3', 3, 'Tổ 1', 'Tổ 3'],
    ['1-4', 4, '1', '4'],
  ])('expands the range "%s" to %i groups, %s to %s', (text, n, first, last) => {
    const got = codes(text);
    expect(got).toHaveLength(n);
    expect(got[0]).toBe(first);
    expect(got.at(-1)).toBe(last);
  });

  it('keeps a descending "range" as a code as typed (it is not a range)', () => {
    expect(codes('Ngõ 9-2')).toEqual(['Ngõ 9-2']);
  });

  it('reads "code<TAB>name" pasted from a spreadsheet; a named line is never a range', () => {
    expect(parseGroupList('TDP 1\tTổ dân phố số 1\nTDP 2-3\tTổ ghép').groups).toEqual([
      { code: 'TDP 1', name: 'Tổ dân phố số 1' },
      { code: 'TDP 2-3', name: 'Tổ ghép' },
    ]);
  });

  it('names each bad line: duplicates (also from a range), too long, a range too large', () => {
    const { groups, errors } = parseGroupList(`TDP 1-3\nTDP 2\n${'x'.repeat(41)}\nTDP 1-500`);
    expect(groups.map((g) => g.code)).toEqual(['TDP 1', 'TDP 2', 'TDP 3']);
    expect(errors).toEqual([
      { line: 2, reason: 'duplicate' },
      { line: 3, reason: 'too_long' },
      { line: 4, reason: 'range_too_large' },
    ]);
  });

  it('stops at 200 groups', () => {
    const { groups, errors } = parseGroupList('A 1-150\nB 1-100');
    expect(groups).toHaveLength(200);
    expect(errors[0]).toEqual({ line: 2, reason: 'too_many' });
  });

  it('an empty text is no groups and no errors', () => {
    expect(parseGroupList(' \n\t\n')).toEqual({ groups: [], errors: [] });
  });

  it("parses to what the server's list schema accepts", () => {
    expect(wardGroupListSchema.safeParse(parseGroupList('TDP 1-28\nNhà văn hoá\tĐiểm học').groups).success).toBe(true);
  });
});

describe('wardCodeSchema', () => {
  it.each(['CUANAM', 'cua-nam_2', 'X'])('accepts %s', (code) => expect(wardCodeSchema.safeParse(code).success).toBe(true));
  it.each(['*', '', 'CỬA NAM', 'A B', 'x'.repeat(41), '../x'])('refuses %j (the city\'s "*" is never a ward)', (code) => expect(wardCodeSchema.safeParse(code).success).toBe(false));
});
