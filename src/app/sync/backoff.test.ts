import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay } from './backoff';

describe('backoff', () => {
  it('grows exponentially from 2 s and never exceeds 5 minutes', () => {
    expect(backoffDelay(0, () => 0.999)).toBeLessThanOrEqual(2000);
    expect(backoffDelay(3, () => 0.999)).toBeGreaterThan(15000);
    expect(backoffDelay(3, () => 0.999)).toBeLessThanOrEqual(16000);
    expect(backoffDelay(30, () => 0.999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
  });
  it('is fully jittered: a low random gives a short wait', () => {
    expect(backoffDelay(10, () => 0)).toBe(1000);
  });
});
