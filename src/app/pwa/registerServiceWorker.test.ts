import { afterEach, describe, expect, it, vi } from 'vitest';
import { firstPaint } from './registerServiceWorker';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A PerformanceObserver that reports the given paint entries as soon as it observes. */
function paintObserver(names: string[]) {
  return class {
    constructor(private readonly cb: (list: { getEntriesByName(n: string): unknown[] }) => void) {}
    observe() {
      this.cb({ getEntriesByName: (n: string) => names.filter((x) => x === n).map((name) => ({ name })) });
    }
    disconnect() {}
  };
}

async function settledWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe('firstPaint', () => {
  it('resolves right after the first contentful paint is reported', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('PerformanceObserver', paintObserver(['first-paint', 'first-contentful-paint']));
    expect(await settledWithin(firstPaint(), 10)).toBe(true);
  });

  it('a first paint with no content is not enough: it waits for the fallback', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('PerformanceObserver', paintObserver(['first-paint']));
    const p = firstPaint();
    expect(await settledWithin(p, 2_900)).toBe(false);
    expect(await settledWithin(p, 200)).toBe(true);
  });

  it('without Paint Timing it resolves after the fallback delay', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('PerformanceObserver', undefined);
    const p = firstPaint();
    expect(await settledWithin(p, 2_900)).toBe(false);
    expect(await settledWithin(p, 200)).toBe(true);
  });
});
