// Background work after the first screen (warming the split screens, fetching
// the English texts): one piece per idle moment, each started only when the one
// before has settled.
//
// Why not all at once: every dynamic import evaluates its module (and Vite's
// preload helper adds a <link rel="modulepreload"> per dependency) on the main
// thread. Fired together, eight screens or seven locale chunks made one task of
// 60–140 ms on a 4× slower CPU, and a volunteer's tap on Home waited behind it
// (Lighthouse counted it in Home's Total Blocking Time). One at a time, in idle
// callbacks, each is a short task and a tap goes first.
export type IdleTask = () => Promise<unknown>;

const IDLE_TIMEOUT_MS = 2_000;

function onIdle(fn: () => void): void {
  if (typeof globalThis.requestIdleCallback === 'function') globalThis.requestIdleCallback(fn, { timeout: IDLE_TIMEOUT_MS });
  else setTimeout(fn, 1);
}

/**
 * Runs `tasks` in order, one per idle callback, starting `delayMs` from now. A
 * task that fails is skipped (what it fetches is an optimisation). Returns a
 * cancel function: tasks not yet started are dropped.
 */
export function runWhenIdle(tasks: readonly IdleTask[], delayMs = 0): () => void {
  const queue = [...tasks];
  let cancelled = false;
  const next = () => {
    if (cancelled) return;
    const task = queue.shift();
    if (!task) return;
    onIdle(() => {
      if (cancelled) return;
      let started: Promise<unknown>;
      try {
        started = task();
      } catch {
        started = Promise.resolve();
      }
      void started.catch(() => undefined).then(next);
    });
  };
  const timer = setTimeout(next, delayMs);
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
