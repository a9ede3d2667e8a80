// The frame around every screen: top bar (name, sync status slot, language),
// banners (update / install, wired by the root), the routed screen, the save
// confirmation live region and the bottom navigation.
//
// A console route (#/console/...) for an organiser (supervisor, responder,
// city) renders the console shell instead (screens/console/ConsoleShell.tsx,
// lazy, in the console chunk): side navigation on a desk, a top bar with a
// menu on a phone, never the bottom bar. A volunteer at a console address
// stays in this shell and is told politely it is not for them; their phone
// never fetches the console chunk. An organiser who signs in (or opens the
// app at its start address) lands on their console page.
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { StoreProvider, type Store } from './db/StoreContext';
import { ConsoleOnly, ScreenSwitch, loadConsole, preloadScreens } from './ScreenSwitch';
import { isConsoleRoute, navigate, useRoute, href, paths } from './router';
import type { Role } from '../shared/schemas';
import { Loading } from './components/Loading';
import { BottomNav } from './components/BottomNav';
import { LanguageSwitch } from './components/LanguageSwitch';
import { FlashRegion } from './components/Flash';
import './AppShell.css';

export interface AppShellProps {
  store: Store;
  /** Sync status indicator, shown in the top bar. */
  statusBar?: ReactNode;
  /** Update banner, install button, storage notices: shown under the top bar. */
  banners?: ReactNode;
  /** The sync and account screen (#/sync), owned by the root because it needs the engine. */
  syncScreen?: ReactNode;
}

/**
 * On every screen change: back to the top, and focus on <main> so a screen
 * reader starts reading the new screen instead of staying on the old link.
 */
function useScreenChange(route: unknown) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    (document.scrollingElement ?? document.documentElement).scrollTop = 0;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);
}

const ConsoleShell = lazy(() =>
  loadConsole().then(
    (m) => ({ default: m.ConsoleShell }),
    // Offline, never fetched: a bare frame; the page inside says the connection is needed.
    () => ({ default: ({ children }: { children: ReactNode }) => <main id="main" tabIndex={-1}>{children}</main> }),
  ),
);

/** Where an organiser's console starts, by role; volunteers have none. */
export function consoleHome(role: Role): string | undefined {
  if (role === 'supervisor') return paths.consoleDashboard();
  if (role === 'responder') return paths.console('cases');
  if (role === 'city') return paths.console('city');
  return undefined;
}

/** An organiser opening the app at its start address (e.g. just signed in) goes to their console. */
function useConsoleLanding(role: Role, routeName: string) {
  const landed = useRef(false);
  useEffect(() => {
    if (landed.current) return;
    landed.current = true;
    const home = consoleHome(role);
    if (home && routeName === 'home') navigate(home, { replace: true });
  }, [role, routeName]);
}

export function AppShell(props: AppShellProps) {
  const route = useRoute();
  useConsoleLanding(props.store.user.role, route.name);
  if (isConsoleRoute(route) && props.store.user.role !== 'volunteer') {
    return (
      <StoreProvider store={props.store}>
        <Suspense fallback={<Loading />}>
          <ConsoleShell route={route} statusBar={props.statusBar} banners={props.banners}>
            <ScreenSwitch route={route} />
          </ConsoleShell>
        </Suspense>
        <FlashRegion />
      </StoreProvider>
    );
  }
  return <FieldShell {...props} />;
}

function FieldShell({ store, statusBar, banners, syncScreen }: AppShellProps) {
  const { t } = useTranslation('common');
  const route = useRoute();
  useScreenChange(route);
  useEffect(() => {
    // After the first screen has painted, warm the split screens.
    const t = setTimeout(preloadScreens, 1500);
    return () => clearTimeout(t);
  }, []);
  return (
    <StoreProvider store={store}>
      <div className="app">
        <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
          {t('skipToContent')}
        </a>
        <header className="topbar">
          <a className="brand" href={href(paths.home())}>
            {t('appName')}
          </a>
          {statusBar && <div className="status-slot">{statusBar}</div>}
          <LanguageSwitch />
        </header>
        {banners && <div className="banners">{banners}</div>}
        <main id="main" tabIndex={-1}>
          {isConsoleRoute(route) ? <ConsoleOnly /> : <ScreenSwitch route={route} syncScreen={syncScreen} />}
        </main>
        <FlashRegion />
        <BottomNav route={route} />
      </div>
    </StoreProvider>
  );
}
