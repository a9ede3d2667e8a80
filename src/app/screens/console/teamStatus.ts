// What the Team page says about one person's devices: the last sync, app
// versions, records waiting, persistent storage, and the flag for "records
// waiting and no sync in 3 days" (pure, so the rule is tested on its own).
import type { Device } from '../../../shared/enrolment';

export const STALE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

export interface MemberDevices {
  lastSyncAt: string | undefined;
  appVersions: string[];
  /** Records waiting on all their active devices, or undefined when none reported. */
  pending: number | undefined;
  /** 'yes' every reporting device is persistent; 'no' one is not; 'unknown' none reported. */
  persisted: 'yes' | 'no' | 'unknown';
  /** Records waiting, and no sync from any device for 3 days. */
  flagged: boolean;
}

const latest = (xs: (string | null)[]) =>
  xs.filter((x): x is string => x !== null && !Number.isNaN(Date.parse(x))).sort((a, b) => Date.parse(b) - Date.parse(a))[0];

export function memberDevices(devices: readonly Device[], now: Date): MemberDevices {
  const active = devices.filter((d) => d.revokedAt === null);
  const lastSyncAt = latest(active.flatMap((d) => [d.lastPushAt, d.lastPullAt]));
  const reported = active.filter((d) => d.pending !== null);
  const pending = reported.length ? reported.reduce((n, d) => n + (d.pending ?? 0), 0) : undefined;
  const persistence = active.map((d) => d.storagePersisted).filter((p): p is boolean => p !== null);
  const persisted = persistence.length === 0 ? 'unknown' : persistence.every(Boolean) ? 'yes' : 'no';
  const stale = lastSyncAt === undefined || now.getTime() - Date.parse(lastSyncAt) > STALE_AFTER_MS;
  return {
    lastSyncAt,
    appVersions: [...new Set(active.map((d) => d.appVersion).filter((v): v is string => v !== null))].sort(),
    pending,
    persisted,
    flagged: (pending ?? 0) > 0 && stale,
  };
}
