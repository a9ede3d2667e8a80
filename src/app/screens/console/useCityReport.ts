// The city's figures from the server (GET /api/v1/reports/city): one row per
// ward, read from the server's aggregates. They need the network; a failure is
// a value the page shows with a retry, never an exception.
import { useCallback, useEffect, useState } from 'react';
import { cityReportSchema, type CityReport } from '../../../shared/reports';
import { requestJson, type HttpOptions } from '../../sync/http';

export const CITY_PATH = '/api/v1/reports/city';

export type CityFailure = 'offline' | 'unauthenticated' | 'forbidden' | 'failed';

export type CityState = { status: 'loading' } | { status: 'ok'; data: CityReport } | { status: 'failed'; reason: CityFailure };

export async function fetchCityReport(http: HttpOptions = {}): Promise<CityState> {
  if (globalThis.navigator?.onLine === false) return { status: 'failed', reason: 'offline' };
  const res = await requestJson(cityReportSchema, CITY_PATH, {}, http);
  if (res.ok) return { status: 'ok', data: res.data };
  if (res.kind === 'offline' || res.kind === 'timeout') return { status: 'failed', reason: 'offline' };
  if (res.kind === 'api' && res.status === 401) return { status: 'failed', reason: 'unauthenticated' };
  if (res.kind === 'api' && res.status === 403) return { status: 'failed', reason: 'forbidden' };
  return { status: 'failed', reason: 'failed' };
}

/** Loads the report once, again on reload(), and by itself when the device comes back online. `http` must be stable. */
export function useCityReport(http?: HttpOptions): { state: CityState; reload: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<CityState>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    void fetchCityReport(http).then((next) => {
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
