import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runWhenIdle } from './idle';

// Fake timers (jsdom has no requestIdleCallback, so idle.ts falls back to a
// timer): the tests do not depend on how busy the machine is.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('runWhenIdle', () => {
  it('starts each task only once the one before has settled, in order', async () => {
    const log: string[] = [];
    const first = deferred();
    runWhenIdle([
      () => {
        log.push('a');
        return first.promise;
      },
      async () => {
        log.push('b');
      },
    ]);
    await tick(30);
    expect(log).toEqual(['a']);
    first.resolve();
    await tick(30);
    expect(log).toEqual(['a', 'b']);
  });

  it('a failing task (rejected or thrown) does not stop the ones after it', async () => {
    const log: string[] = [];
    runWhenIdle([
      () => Promise.reject(new Error('offline')),
      () => {
        throw new Error('sync throw');
      },
      async () => {
        log.push('c');
      },
    ]);
    await tick(50);
    expect(log).toEqual(['c']);
  });

  it('waits for the delay before the first task', async () => {
    const log: string[] = [];
    runWhenIdle([async () => log.push('a')], 80);
    await tick(20);
    expect(log).toEqual([]);
    await tick(120);
    expect(log).toEqual(['a']);
  });

  it('cancelling drops the tasks not yet started', async () => {
    const log: string[] = [];
    const first = deferred();
    const cancel = runWhenIdle([
      () => {
        log.push('a');
        return first.promise;
      },
      async () => {
        log.push('b');
      },
    ]);
    await tick(30);
    cancel();
    first.resolve();
    await tick(30);
    expect(log).toEqual(['a']);
  });

  it('cancelled before the delay, it runs nothing', async () => {
    const log: string[] = [];
    runWhenIdle([async () => log.push('a')], 20)();
    await tick(60);
    expect(log).toEqual([]);
  });
});
