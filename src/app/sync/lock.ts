// One sync at a time across tabs. Web Locks where the browser has them;
// otherwise a lease in localStorage that expires, so a crashed tab cannot hold
// the lock forever.
const LEASE_MS = 90_000;

export async function withSyncLock<T>(name: string, fn: () => Promise<T>): Promise<T | 'busy'> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks?.request) {
    return locks.request(name, { ifAvailable: true }, async (lock) => (lock ? fn() : 'busy' as const));
  }
  return withLease(name, fn);
}

const held = new Set<string>();

async function withLease<T>(name: string, fn: () => Promise<T>): Promise<T | 'busy'> {
  if (held.has(name)) return 'busy';
  const key = `gocua.lock.${name}`;
  const me = Math.random().toString(36).slice(2);
  try {
    const current = globalThis.localStorage?.getItem(key);
    if (current) {
      const [, until] = current.split(':');
      if (Number(until) > Date.now()) return 'busy';
    }
    globalThis.localStorage?.setItem(key, `${me}:${Date.now() + LEASE_MS}`);
  } catch {
    /* no storage: fall back to this tab only */
  }
  held.add(name);
  try {
    return await fn();
  } finally {
    held.delete(name);
    try {
      if (globalThis.localStorage?.getItem(key)?.startsWith(me)) globalThis.localStorage.removeItem(key);
    } catch {
      /* ignore */
    }
  }
}
