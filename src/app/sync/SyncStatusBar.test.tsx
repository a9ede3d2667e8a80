// The always-visible sync status, driven by the real sync engine against the
// real server: records waiting, last sync, and a device clock that is off.
import { screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../../tests/server/helpers';
import { createDevice, type Device } from '../../../tests/sync/device';
import { createHouseholdInput } from '../../../tests/factories/records';
import { createHousehold } from '../db/repo';
import { renderScreen } from '../screens/testUtils';
import { SyncStatusBar } from './SyncStatusBar';
import { CLOCK_SKEW_LIMIT_MS } from './engine';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer({ dialect: 'sqlite' });
  user = await server.createUser({ role: 'volunteer', groups: ['TDP 5'] });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.useRealTimers();
});

async function device(): Promise<Device> {
  const d = createDevice(server.url, user);
  await d.login(user.username, user.password);
  return d;
}

const storeOf = (d: Device) => ({
  db: d.db,
  actor: d.actor,
  user: { id: user.id, username: user.username, displayName: 'Lan', role: 'volunteer' as const, wardCode: 'CUANAM', groups: ['TDP 5'] },
});

describe('sync status bar', () => {
  it('shows records waiting, then "all sent" once the engine has synced', async () => {
    const d = await device();
    await createHousehold(d.db, d.actor, createHouseholdInput());
    await renderScreen(<SyncStatusBar engine={d.engine} />, storeOf(d));
    const pill = await screen.findByRole('link', { name: /1 chờ gửi/ });
    expect(pill).toHaveAttribute('data-pending', '1');
    expect(await d.engine.syncNow()).toMatchObject({ ok: true });
    await waitFor(() => expect(pill).toHaveAttribute('data-pending', '0'));
    expect(pill).toHaveTextContent('Đã gửi hết');
    expect(pill).not.toHaveClass('sync-pill-warn');
  });

  it('says so when the device clock is more than 5 minutes off the server', async () => {
    const d = await device();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + CLOCK_SKEW_LIMIT_MS + 5 * 60_000);
    expect(await d.engine.syncNow()).toMatchObject({ ok: true });
    expect(d.engine.status.clockSkewMs).toBeGreaterThan(CLOCK_SKEW_LIMIT_MS);
    await renderScreen(<SyncStatusBar engine={d.engine} />, storeOf(d));
    const pill = await screen.findByRole('link', { name: /Lệch giờ/ });
    expect(pill).toHaveClass('sync-pill-warn');

    // Back within the limit: the warning goes away at the next exchange.
    vi.useRealTimers();
    expect(await d.engine.syncNow()).toMatchObject({ ok: true });
    expect(d.engine.status.clockSkewMs).toBeUndefined();
  });
});
