// The city's figures from the server (GET /api/v1/reports/city): one row per
// ward, read from the server's aggregates. They need the network; a failure is
// a value the page shows with a retry, never an exception (useServerData).
import { cityReportSchema, type CityReport } from '../../../shared/reports';
import type { HttpOptions } from '../../sync/http';
import { useServerData, type DataState } from './useServerData';

export const CITY_PATH = '/api/v1/reports/city';

export type CityState = DataState<CityReport>;

/** Loads the report once, again on reload(), and by itself when the device comes back online. `http` must be stable. */
export function useCityReport(http?: HttpOptions): { state: CityState; reload: () => void } {
  return useServerData(cityReportSchema, CITY_PATH, http);
}
