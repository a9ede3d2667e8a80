// A tiny hash router. Hash routes need no server rewrite rules and keep working
// from the service worker's cached index.html with the network off.
//
// Console routes (#/console/...) are the organisers' side: every route whose
// name starts with 'console' renders in the console shell (AppShell.tsx), never
// under the volunteers' bottom bar. #/dashboard is kept as an alias of
// #/console/dashboard so old links and bookmarks still work.
import { useMemo, useSyncExternalStore } from 'react';
import { CASE_STATUSES, type CaseStatus } from '../shared/schemas';
import { ESCALATION_REASONS, type EscalationReason } from '../shared/platforms';
import { ACTIVITY_FILTER_KEYS, type ActivityFilters } from '../shared/consoleFilters';

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
  | { name: 'consoleCases'; status?: CaseStatus | undefined; reason?: EscalationReason | undefined }
  | { name: 'enrol'; token: string }
  | { name: 'consoleTeam' }
  | { name: 'consoleEnrol' }
  | { name: 'consoleCity' }
  | { name: 'consoleDashboard'; filters: ActivityFilters; ward?: string | undefined }
  | { name: 'consoleAttention' }
  | { name: 'consoleDoors'; group?: string | undefined; lane?: string | undefined }
  | { name: 'consoleExports' }
  /** A console address this build has no page for (yet): shown inside the console shell. */
  | { name: 'consoleNotFound' }
  /** First run: the one-time link the server prints while no user exists (Root shows it signed in or not). */
  | { name: 'setup'; token: string }
  | { name: 'notFound' };

/** The console's pages that exist in the navigation (some are built by other modules). */
export const CONSOLE_PAGES = ['dashboard', 'cases', 'team', 'enrol', 'attention', 'doors', 'exports', 'city'] as const;
export type ConsolePage = (typeof CONSOLE_PAGES)[number];

export const isConsoleRoute = (route: Route): boolean => route.name.startsWith('console');

/** ?a=1&b=2 from the defined values, in the order given; '' when none. */
function queryOf(entries: Array<[string, string | undefined]>): string {
  const q = new URLSearchParams(entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  return q ? `?${q}` : '';
}

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
  /** The old address of the ward dashboard: an alias of consoleDashboard(). */
  dashboard: () => '/dashboard',
  /** The response team's case queue; its filter lives in the query so a link or a reload keeps it. */
  consoleCases: (filter: { status?: CaseStatus | undefined; reason?: EscalationReason | undefined } = {}) => {
    const q = new URLSearchParams();
    if (filter.status) q.set('status', filter.status);
    if (filter.reason) q.set('reason', filter.reason);
    const query = q.toString();
    return query ? `/console/cases?${query}` : '/console/cases';
  },
  /** The page an enrolment QR code opens (its URL is built by the server). */
  enrol: (token: string) => `/enrol/${enc(token)}`,
  consoleTeam: () => '/console/team',
  consoleEnrol: () => '/console/enrol',
  /** The city view: every ward (console). */
  consoleCity: () => '/console/city',
  console: (page: ConsolePage) => `/console/${page}`,
  /** The ward dashboard with its filters in the URL (the city adds the ward). */
  consoleDashboard: (filters: ActivityFilters = {}, ward?: string) =>
    `/console/dashboard${queryOf([...ACTIVITY_FILTER_KEYS.map((k): [string, string | undefined] => [k, filters[k]]), ['ward', ward]])}`,
  consoleAttention: () => '/console/attention',
  consoleDoors: (group?: string, lane?: string) => `/console/doors${queryOf([['group', group], ['lane', lane]])}`,
  consoleExports: () => '/console/exports',
  setup: (token: string) => `/setup/${enc(token)}`,
};

/** A query value if it is one of `codes`, else undefined: an unknown filter shows everything. */
function codeOf<C extends string>(codes: readonly C[], value: string | null): C | undefined {
  return codes.find((c) => c === value);
}

/** The filters of a dashboard URL: only the known keys, and only non-empty values. */
function filtersOf(query: URLSearchParams): ActivityFilters {
  const out: ActivityFilters = {};
  for (const k of ACTIVITY_FILTER_KEYS) {
    const v = query.get(k);
    if (v) out[k] = v;
  }
  return out;
}

function consoleRoute(page: string | undefined, rest: number, query: URLSearchParams): Route {
  if (rest > 0) return { name: 'consoleNotFound' };
  switch (page) {
    case 'dashboard':
      return { name: 'consoleDashboard', filters: filtersOf(query), ward: query.get('ward') || undefined };
    case 'attention':
      return { name: 'consoleAttention' };
    case 'doors':
      return { name: 'consoleDoors', group: query.get('group') || undefined, lane: query.get('lane') || undefined };
    case 'exports':
      return { name: 'consoleExports' };
    case 'cases':
      return { name: 'consoleCases', status: codeOf(CASE_STATUSES, query.get('status')), reason: codeOf(ESCALATION_REASONS, query.get('reason')) };
    case 'team':
      return { name: 'consoleTeam' };
    case 'enrol':
      return { name: 'consoleEnrol' };
    case 'city':
      return { name: 'consoleCity' };
    default:
      return { name: 'consoleNotFound' };
  }
}

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
  if (a === 'enrol' && b && s.length === 2) return { name: 'enrol', token: b };
  if (a === 'dashboard' && s.length === 1) return { name: 'consoleDashboard', filters: filtersOf(query) };
  if (a === 'console') return consoleRoute(b, s.length - 2, query);
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
