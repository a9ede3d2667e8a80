// Loading one console list from the server with a reload, the way the
// dashboard loads its figures: the state is a value (loading, ok, failed).
import { useCallback, useEffect, useState } from 'react';
import type { ConsoleFailure, ConsoleResult } from './consoleApi';

export type Loaded<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'failed'; reason: ConsoleFailure };

/** `load` must be stable (a module function, or useCallback). */
export function useConsoleData<T>(load: () => Promise<ConsoleResult<T>>): { state: Loaded<T>; reload: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    void load().then((r) => {
      if (live) setState(r.ok ? { status: 'ok', data: r.data } : { status: 'failed', reason: r.reason });
    });
    return () => {
      live = false;
    };
  }, [load, attempt]);
  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  return { state, reload };
}

/** Group codes in the natural order "TDP 2" < "TDP 10". */
export const groupOrder = new Intl.Collator('vi', { numeric: true });
