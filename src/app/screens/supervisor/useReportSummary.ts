// The ward's figures from the server (GET /api/v1/reports/summary). Unlike every
// other screen these are not on the device: they are SQL aggregates over the
// whole ward, so they need the network, and a failure is a value the screen
// shows with a retry, never an exception.
import { useCallback, useEffect, useState } from 'react';
import { reportSummarySchema, type ReportSummary } from '../../../shared/reports';
import { requestJson, type HttpOptions } from '../../sync/http';

export const SUMMARY_PATH = '/api/v1/reports/summary';

export type SummaryFailure = 'offline' | 'unauthenticated' | 'forbidden' | 'failed';

export type SummaryState =
  | { status: 'loading' }
  | { status: 'ok'; data: ReportSummary }
  | { status: 'failed'; reason: SummaryFailure };

export async function fetchSummary(http: HttpOptions = {}): Promise<SummaryState> {
  // Known offline: do not wait for a request that cannot complete.
  if (globalThis.navigator?.onLine === false) return { status: 'failed', reason: 'offline' };
  const res = await requestJson(reportSummarySchema, SUMMARY_PATH, {}, http);
  if (res.ok) return { status: 'ok', data: res.data };
  if (res.kind === 'offline' || res.kind === 'timeout') return { status: 'failed', reason: 'offline' };
  if (res.kind === 'api' && res.status === 401) return { status: 'failed', reason: 'unauthenticated' };
  if (res.kind === 'api' && res.status === 403) return { status: 'failed', reason: 'forbidden' };
  // A captive portal's page, a proxy error, a 5xx, or an answer that does not
  // match the contract: nothing we can show.
  return { status: 'failed', reason: 'failed' };
}

/**
 * Loads the summary once, again on reload(), and by itself when the device
 * comes back online after an offline failure. `http` must be stable (tests pass
 * one object; the app passes none).
 */
export function useReportSummary(http?: HttpOptions): { state: SummaryState; reload: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<SummaryState>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    void fetchSummary(http).then((next) => {
      if (live) setState(next);
    });
    return () => {
      live = false;
    };
  }, [attempt, http]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((a) => a + 1);
  }, []);

  const offline = state.status === 'failed' && state.reason === 'offline';
  useEffect(() => {
    if (!offline) return undefined;
    window.addEventListener('online', reload);
    return () => window.removeEventListener('online', reload);
  }, [offline, reload]);

  return { state, reload };
}
