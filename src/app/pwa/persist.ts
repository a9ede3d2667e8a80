// Ask the browser to keep our data under storage pressure. Without this, a
// phone that runs low on space may evict IndexedDB — and with it a week of
// unsynced visits. Asked after the first saved record, when the request makes
// sense to the browser's heuristics (the user has engaged with the app).
import { onSaved } from '../db/events';

export type Persistence = 'persistent' | 'best_effort' | 'unsupported' | 'unknown';

const listeners = new Set<(p: Persistence) => void>();
let state: Persistence = 'unknown';

function set(p: Persistence) {
  state = p;
  for (const l of listeners) l(p);
}

export function persistence(): Persistence {
  return state;
}

export function onPersistence(fn: (p: Persistence) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function checkPersistence(): Promise<Persistence> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persisted) {
    set('unsupported');
    return state;
  }
  set((await storage.persisted()) ? 'persistent' : 'best_effort');
  return state;
}

export async function requestPersistence(): Promise<Persistence> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) {
    set('unsupported');
    return state;
  }
  try {
    set((await storage.persist()) ? 'persistent' : 'best_effort');
  } catch {
    set('best_effort');
  }
  return state;
}

/** Requests persistence once, after the first save of this page's life. */
export function persistAfterFirstSave(): () => void {
  let asked = false;
  void checkPersistence();
  const off = onSaved(() => {
    if (asked || state === 'persistent') return;
    asked = true;
    void requestPersistence();
  });
  return off;
}
