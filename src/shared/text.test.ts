import { describe, expect, it } from 'vitest';
import { foldText, searchWords } from './text';

describe('foldText', () => {
  it('removes Vietnamese diacritics and maps đ to d', () => {
    expect(foldText('Nguyễn Văn Ánh')).toBe('nguyen van anh');
    expect(foldText('Đặng Đình Độ')).toBe('dang dinh do');
    expect(foldText('Ngõ Hàng Bột')).toBe('ngo hang bot');
  });
  it('is stable for already-folded text', () => {
    expect(foldText('nguyen van a')).toBe('nguyen van a');
  });
  it('folds composed and decomposed forms alike', () => {
    expect(foldText('Nguye\u0302\u0303n')).toBe(foldText('Nguyễn'));
  });
});

describe('searchWords', () => {
  it('collects unique words across fields', () => {
    expect(searchWords('Trần Văn Minh', 'Ngõ 45', 'Hàng Bông', undefined, 'trần')).toEqual([
      'tran', 'van', 'minh', 'ngo', '45', 'hang', 'bong',
    ]);
  });
});
