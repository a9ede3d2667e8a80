// A tiny hash router. Hash routes need no server rewrite rules and keep working
// from the service worker's cached index.html with the network off.
import { useMemo, useSyncExternalStore } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'households'; group?: string | undefined }
  | { name: 'householdNew'; group?: string | undefined }
  | { name: 'household'; id: string }
  | { name: 'householdEdit'; id: string }
  | { name: 'personNew'; householdId: string }
  | { name: 'person'; id: string }
  | { name: 'personEdit'; id: string }
  | { name: 'visit'; householdId: string }
  | { name: 'followups' }
  | { name: 'coverage'; group?: string | undefined }
  | { name: 'point' }
  | { name: 'search'; q: string }
  | { name: 'sync' }
  | { name: 'dashboard' }
  /** First run: the one-time link the server prints while no user exists (Root shows it signed in or not). */
  | { name: 'setup'; token: string }
  | { name: 'notFound' };

const enc = encodeURIComponent;

/** Paths (without the leading '#') for every route, so no screen builds one by hand. */
export const paths = {
  home: () => '/',
  households: (group?: string) => (group ? `/households/${enc(group)}` : '/households'),
  householdNew: (group?: string) => (group ? `/household/new?group=${enc(group)}` : '/household/new'),
  household: (id: string) => `/household/${enc(id)}`,
  householdEdit: (id: string) => `/household/${enc(id)}/edit`,
  personNew: (householdId: string) => `/household/${enc(householdId)}/person/new`,
  person: (id: string) => `/person/${enc(id)}`,
  personEdit: (id: string) => `/person/${enc(id)}/edit`,
  visit: (householdId: string) => `/household/${enc(householdId)}/visit`,
  followups: () => '/followups',
  coverage: (group?: string) => (group ? `/coverage/${enc(group)}` : '/coverage'),
  point: () => '/point',
  search: (q: string) => `/search?q=${enc(q)}`,
  sync: () => '/sync',
  dashboard: () => '/dashboard',
  setup: (token: string) => `/setup/${enc(token)}`,
};

/** For <a href>: real links, so long-press, keyboard and screen readers behave as links. */
export const href = (path: string) => `#${path}`;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2);
  const query = new URLSearchParams(queryPart);
  const s = pathPart.split('/').filter(Boolean).map(decode);
  const [a, b, c, d, e] = s;
  if (s.length === 0) return { name: 'home' };
  if (a === 'households' && s.length <= 2) return { name: 'households', group: b };
  if (a === 'household' && b === 'new' && s.length === 2)
    return { name: 'householdNew', group: query.get('group') ?? undefined };
  if (a === 'household' && b) {
    if (s.length === 2) return { name: 'household', id: b };
    if (c === 'edit' && s.length === 3) return { name: 'householdEdit', id: b };
    if (c === 'visit' && s.length === 3) return { name: 'visit', householdId: b };
    if (c === 'person' && d === 'new' && s.length === 4 && !e) return { name: 'personNew', householdId: b };
  }
  if (a === 'person' && b) {
    if (s.length === 2) return { name: 'person', id: b };
    if (c === 'edit' && s.length === 3) return { name: 'personEdit', id: b };
  }
  if (a === 'followups' && s.length === 1) return { name: 'followups' };
  if (a === 'coverage' && s.length <= 2) return { name: 'coverage', group: b };
  if (a === 'point' && s.length === 1) return { name: 'point' };
  if (a === 'sync' && s.length === 1) return { name: 'sync' };
  if (a === 'dashboard' && s.length === 1) return { name: 'dashboard' };
  if (a === 'setup' && b && s.length === 2) return { name: 'setup', token: b };
  if (a === 'search' && s.length === 1) return { name: 'search', q: query.get('q') ?? '' };
  return { name: 'notFound' };
}

// Listeners are told synchronously on navigate(), and also on the browser's own
// hashchange (back button, a tapped <a href="#...">).
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('hashchange', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('hashchange', listener);
  };
}

const snapshot = () => window.location.hash;

export function navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
  const target = href(path);
  if (window.location.hash !== target) {
    if (replace) window.history.replaceState(null, '', target);
    else window.history.pushState(null, '', target);
  }
  notify();
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, snapshot, () => '');
  return useMemo(() => parseRoute(hash), [hash]);
}
