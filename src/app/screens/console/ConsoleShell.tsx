// The organisers' frame (supervisors, responders, the city): on a desk
// (≥ 1024 px) a side navigation beside the page; on a phone a compact top bar
// whose Menu button opens the same navigation. Never the volunteers' bottom
// bar. Entries depend on the role; pages built elsewhere (cases, team,
// enrolment, city) are linked here too.
//
// The layout is decided in JS as well as in CSS (useDesktop): on a phone the
// navigation is not in the page until opened, so a screen reader's landmarks
// and the tab order match what is on screen.
import { useEffect, useId, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from '../../db/StoreContext';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { href, paths, type ConsolePage, type Route } from '../../router';
import type { Role } from '../../../shared/schemas';
import './ConsoleShell.css';

/** The console's breakpoint: a desk's screen. */
export const DESKTOP_QUERY = '(min-width: 1024px)';

function subscribeDesktop(listener: () => void) {
  const mq = window.matchMedia(DESKTOP_QUERY);
  mq.addEventListener('change', listener);
  return () => mq.removeEventListener('change', listener);
}

export function useDesktop(): boolean {
  return useSyncExternalStore(subscribeDesktop, () => window.matchMedia(DESKTOP_QUERY).matches, () => true);
}

/** The navigation entries of a role, in order. */
export const CONSOLE_NAV: Record<Role, readonly ConsolePage[]> = {
  supervisor: ['dashboard', 'cases', 'team', 'enrol', 'attention', 'doors', 'exports'],
  responder: ['cases'],
  city: ['city', 'dashboard'],
  volunteer: [],
};

const ROUTE_PAGE: Partial<Record<Route['name'], ConsolePage>> = {
  consoleDashboard: 'dashboard',
  consoleAttention: 'attention',
  consoleDoors: 'doors',
  consoleExports: 'exports',
  consoleCases: 'cases',
  consoleTeam: 'team',
  consoleEnrol: 'enrol',
  consoleCity: 'city',
};

/** Which entry a route belongs to; other modules' routes are named console<Page>. */
function currentPage(route: Route): ConsolePage | undefined {
  const known = ROUTE_PAGE[route.name];
  if (known) return known;
  const m = /^console([A-Z]\w*)$/.exec(route.name);
  return m ? (m[1]!.toLowerCase() as ConsolePage) : undefined;
}

function NavList({ role, current, onNavigate }: { role: Role; current: ConsolePage | undefined; onNavigate?: () => void }) {
  const { t } = useTranslation('supervisor');
  return (
    <ul className="console-nav-list">
      {CONSOLE_NAV[role].map((page) => (
        <li key={page}>
          <a href={href(page === 'dashboard' ? paths.consoleDashboard() : paths.console(page))} aria-current={current === page ? 'page' : undefined} onClick={onNavigate}>
            {t(`console.nav.${page}`)}
          </a>
        </li>
      ))}
      <li className="console-nav-sep">
        <a href={href(paths.sync())} onClick={onNavigate}>
          {t('console.nav.account')}
        </a>
      </li>
      {role === 'supervisor' && (
        <li>
          <a href={href(paths.households())} onClick={onNavigate}>
            {t('console.nav.field')}
          </a>
        </li>
      )}
    </ul>
  );
}

export interface ConsoleShellProps {
  route: Route;
  statusBar?: ReactNode;
  banners?: ReactNode;
  children: ReactNode;
}

export function ConsoleShell({ route, statusBar, banners, children }: ConsoleShellProps) {
  const { t } = useTranslation('supervisor');
  const { user } = useStore();
  const desktop = useDesktop();
  const [open, setOpen] = useState(false);
  const navId = useId();
  const current = currentPage(route);

  // A new page: close the phone menu, go to the top, and put focus on <main>
  // so a screen reader starts reading the new page.
  useEffect(() => {
    setOpen(false);
    (document.scrollingElement ?? document.documentElement).scrollTop = 0;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);

  // Escape closes the phone menu.
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const nav = (
    <nav id={navId} className="console-nav" aria-label={t('console.nav.label')}>
      <NavList role={user.role} current={current} onNavigate={desktop ? undefined : () => setOpen(false)} />
    </nav>
  );

  return (
    <div className={`console ${desktop ? 'console-desktop' : 'console-phone'}`}>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('common:skipToContent')}
      </a>
      <header className="console-topbar">
        {!desktop && (
          <button type="button" className="console-menu-button" aria-expanded={open} aria-controls={navId} onClick={() => setOpen((o) => !o)}>
            <span aria-hidden="true">☰</span> {t('console.menu')}
          </button>
        )}
        <a className="console-brand" href={href(paths.consoleDashboard())}>
          {t('console.brand')}
        </a>
        {statusBar && <div className="console-status">{statusBar}</div>}
        <LanguageSwitch />
      </header>
      {!desktop && open && nav}
      <div className="console-body">
        {desktop && nav}
        <div className="console-page">
          {banners && <div className="banners">{banners}</div>}
          <main id="main" tabIndex={-1}>
            {children}
          </main>
        </div>
      </div>
    </div>
  );
}
