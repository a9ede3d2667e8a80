// One server read for a console page: loading, the parsed answer, or a
// failure the page shows with a retry (never an exception). Like the ward
// summary (supervisor/useReportSummary.ts), these are not on the device:
// they need the network. `path` undefined: nothing to load yet.
import { useCallback, useEffect, useState } from 'react';
import type { z } from 'zod';
import { requestJson, type HttpOptions } from '../../sync/http';
import type { SummaryFailure } from '../supervisor/useReportSummary';

export type DataState<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; data: T } | { status: 'failed'; reason: SummaryFailure | 'invalid' };

export async function fetchData<S extends z.ZodType>(schema: S, path: string, http: HttpOptions = {}): Promise<DataState<z.output<S>>> {
  if (globalThis.navigator?.onLine === false) return { status: 'failed', reason: 'offline' };
  const res = await requestJson(schema, path, {}, http);
  if (res.ok) return { status: 'ok', data: res.data as z.output<S> };
  if (res.kind === 'offline' || res.kind === 'timeout') return { status: 'failed', reason: 'offline' };
  if (res.kind === 'api' && res.status === 401) return { status: 'failed', reason: 'unauthenticated' };
  if (res.kind === 'api' && res.status === 403) return { status: 'failed', reason: 'forbidden' };
  if (res.kind === 'api' && res.status === 400) return { status: 'failed', reason: 'invalid' };
  return { status: 'failed', reason: 'failed' };
}

/** Loads `path` whenever it changes, again on reload(), and by itself when the device comes back online. `http` must be stable. */
export function useServerData<S extends z.ZodType>(schema: S, path: string | undefined, http?: HttpOptions): { state: DataState<z.output<S>>; reload: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<DataState<z.output<S>>>(path ? { status: 'loading' } : { status: 'idle' });

  useEffect(() => {
    if (!path) {
      setState({ status: 'idle' });
      return undefined;
    }
    let live = true;
    setState({ status: 'loading' });
    void fetchData(schema, path, http).then((next) => {
      if (live) setState(next);
    });
    return () => {
      live = false;
    };
  }, [schema, path, attempt, http]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  const offline = state.status === 'failed' && state.reason === 'offline';
  useEffect(() => {
    if (!offline) return undefined;
    window.addEventListener('online', reload);
    return () => window.removeEventListener('online', reload);
  }, [offline, reload]);
  return { state, reload };
}
