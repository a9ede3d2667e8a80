// The first screen's one read: who is signed in on this device. It reads the
// device database that deviceDb.ts owns (same name, same stores) with the bare
// IndexedDB API, so that the sign-in screen and the first frame of Home need
// neither Dexie nor zod (they load right after first paint).
//
// It never creates or changes the database: when it does not exist yet, the
// upgrade it would start is aborted, which leaves no database behind, and
// Dexie later creates it at its own version (deviceDb.ts's DEVICE_DB_VERSION).
import type { UserProfile } from '../../shared/schemas';

/** Must match deviceDb.ts: the database name and its two stores. */
export const DEVICE_DB_NAME = 'gocua-device';
const META = 'meta';
const PROFILES = 'profiles';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('indexeddb'));
  });
}

function openExisting(): Promise<IDBDatabase | undefined> {
  return new Promise((resolve) => {
    let fresh = false;
    let r: IDBOpenDBRequest;
    try {
      r = indexedDB.open(DEVICE_DB_NAME);
    } catch {
      resolve(undefined);
      return;
    }
    r.onupgradeneeded = () => {
      // No database yet: nobody has signed in here. Abort so none is created.
      fresh = true;
      r.transaction?.abort();
    };
    r.onsuccess = () => {
      if (fresh) {
        r.result.close();
        resolve(undefined);
      } else resolve(r.result);
    };
    r.onerror = (e) => {
      e.preventDefault(); // the aborted upgrade: not an uncaught error
      resolve(undefined);
    };
    r.onblocked = () => resolve(undefined);
  });
}

/** The shape only; SessionContext checks it against the shared schema right after first paint. */
export function looksLikeProfile(p: unknown): p is UserProfile {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return (
    ['id', 'username', 'displayName', 'role', 'wardCode'].every((k) => typeof o[k] === 'string') &&
    Array.isArray(o.groups) &&
    o.groups.every((g) => typeof g === 'string')
  );
}

/** The signed-in profile on this device, or undefined (never signed in, signed out, or unreadable). */
export async function readCurrentProfile(): Promise<UserProfile | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  const db = await openExisting();
  if (!db) return undefined;
  try {
    if (!db.objectStoreNames.contains(META) || !db.objectStoreNames.contains(PROFILES)) return undefined;
    const tx = db.transaction([META, PROFILES], 'readonly');
    const current = (await request(tx.objectStore(META).get('currentUserId'))) as { value?: unknown } | undefined;
    if (typeof current?.value !== 'string') return undefined;
    const profile: unknown = await request(tx.objectStore(PROFILES).get(current.value));
    return looksLikeProfile(profile) ? profile : undefined;
  } catch {
    return undefined;
  } finally {
    // Closed at once, so that it never blocks Dexie's own open or a later upgrade.
    db.close();
  }
}
