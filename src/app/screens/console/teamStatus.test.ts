import { describe, expect, it } from 'vitest';
import type { Device } from '../../../shared/enrolment';
import { memberDevices } from './teamStatus';

const NOW = new Date('2026-08-10T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 60 * 60 * 1000).toISOString();

function device(overrides: Partial<Device> = {}): Device {
  return {
    clientId: 'client-1',
    userId: 'vol-1',
    displayName: 'Lan',
    appVersion: '0.1.0',
    lastPushAt: daysAgo(1),
    lastPullAt: daysAgo(1),
    pending: 0,
    storagePersisted: true,
    revokedAt: null,
    ...overrides,
  };
}

describe('memberDevices', () => {
  it.each([
    ['records waiting and no sync for 4 days', [device({ pending: 5, lastPushAt: daysAgo(4), lastPullAt: daysAgo(4) })], true],
    ['records waiting but synced yesterday', [device({ pending: 5 })], false],
    ['no sync for 4 days and nothing waiting', [device({ pending: 0, lastPushAt: daysAgo(4), lastPullAt: daysAgo(4) })], false],
    ['records waiting and never synced', [device({ pending: 2, lastPushAt: null, lastPullAt: null })], true],
    ['an old phone waits but another device synced today', [device({ pending: 3, lastPushAt: daysAgo(9), lastPullAt: daysAgo(9) }), device({ clientId: 'c2', lastPullAt: daysAgo(0) })], false],
    ['a revoked device’s records do not count', [device({ pending: 3, lastPushAt: daysAgo(9), lastPullAt: daysAgo(9), revokedAt: daysAgo(1) })], false],
  ])('flags %s: %s', (_, devices, flagged) => {
    expect(memberDevices(devices, NOW).flagged).toBe(flagged);
  });

  it('sums records waiting, lists versions and says "no" when one device is not persistent', () => {
    const r = memberDevices([device({ pending: 2, appVersion: '0.1.0' }), device({ clientId: 'c2', pending: 3, appVersion: '0.2.0', storagePersisted: false })], NOW);
    expect(r).toMatchObject({ pending: 5, appVersions: ['0.1.0', '0.2.0'], persisted: 'no', lastSyncAt: daysAgo(1) });
  });

  it('knows nothing about a person without devices', () => {
    expect(memberDevices([], NOW)).toEqual({ lastSyncAt: undefined, appVersions: [], pending: undefined, persisted: 'unknown', flagged: false });
  });
});
