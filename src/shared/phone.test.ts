import { describe, expect, it } from 'vitest';
import { normalisePhone } from './phone';

describe('normalisePhone', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84912345678', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['(+84) 38-123-4567', '0381234567'],
  ])('%s → %s', (input, expected) => expect(normalisePhone(input)).toBe(expected));

  it.each(['12345', '0212345678', '091234567', '09123456789', 'abc', '+1 555 123 4567', ''])(
    'rejects %s',
    (input) => expect(normalisePhone(input)).toBeNull(),
  );
});
