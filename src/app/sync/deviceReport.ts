// What this device tells the server on each push and pull, so that a
// supervisor's Team page can see a phone that holds unsent records or whose
// browser may evict them (shared/protocol.ts deviceReportSchema). Read fresh
// each sync; never personal data.
import type { GoCuaDB } from '../db/database';
import { pendingCount } from '../db/queries';
import type { DeviceReport } from '../../shared/protocol';

/** The build's version (package.json, injected by vite.config.ts). */
export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : '0.0.0';

export async function deviceReport(db: GoCuaDB): Promise<DeviceReport> {
  let storagePersisted = false;
  try {
    storagePersisted = (await globalThis.navigator?.storage?.persisted?.()) ?? false;
  } catch {
    /* unsupported: not persistent */
  }
  return { appVersion: APP_VERSION, pending: await pendingCount(db), storagePersisted };
}

/** The report as pull's query string (after `&`). */
export function reportQuery(clientId: string, r: DeviceReport): string {
  const enc = encodeURIComponent;
  return `client=${enc(clientId)}&appVersion=${enc(r.appVersion)}&pending=${r.pending}&persisted=${r.storagePersisted ? 1 : 0}`;
}
