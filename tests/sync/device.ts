// A simulated device for integration tests: its own fake IndexedDB database,
// the real sync engine, and a fetch that keeps the session cookie like a browser.
import { SyncEngine } from '../../src/app/sync/engine';
import { GoCuaDB, stripLocal } from '../../src/app/db/database';
import type { Actor } from '../../src/app/db/repo';

export interface Device {
  db: GoCuaDB;
  actor: Actor;
  engine: SyncEngine;
  /** Replace to inject network faults; receives the real fetch. */
  fault?: ((input: string, init: RequestInit, real: typeof fetch) => Promise<Response>) | undefined;
  login(username: string, password: string): Promise<void>;
  /** A new engine over the same database, as the app makes at the next sign-in. */
  newEngine(): SyncEngine;
  snapshot(): Promise<Record<string, unknown[]>>;
}

export function createDevice(baseUrl: string, user: { id: string; wardCode: string }): Device {
  const db = new GoCuaDB(`gocua-dev-${user.id}-${Math.random().toString(36).slice(2)}`);
  let cookie = '';
  const device: Device = {
    db,
    actor: { userId: user.id, wardCode: user.wardCode },
    engine: undefined as unknown as SyncEngine,
    newEngine: undefined as unknown as () => SyncEngine,
    async login(username, password) {
      const res = await fetch(`${baseUrl}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`login ${res.status}`);
      cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    },
    async snapshot() {
      const clean = <T extends object>(rows: T[]) =>
        rows.map((r) => stripLocal(r)).sort((a, b) => String((a as { id: string }).id).localeCompare(String((b as { id: string }).id)));
      return {
        households: clean(await db.households.toArray()),
        people: clean(await db.people.toArray()),
        visits: clean(await db.visits.toArray()),
      };
    },
  };
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const real = (i: string, n: RequestInit) => fetch(i, n);
    const req = { ...init, headers };
    return device.fault ? device.fault(String(input), req, real as typeof fetch) : real(String(input), req);
  }) as typeof fetch;
  device.newEngine = () => new SyncEngine(db, `sync-${user.id}-${Math.random()}`, { baseUrl, fetchImpl, timeoutMs: 10_000 }, user.id);
  device.engine = device.newEngine();
  return device;
}
