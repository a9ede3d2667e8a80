// The signed-in app: the user's store around the frame (AppFrame.tsx: top bar,
// banners, bottom navigation) and the routed screen. It is loaded right after
// first paint, with the data layer (Dexie); Root draws the same frame until then.
//
// A console route (#/console/...) for an organiser (supervisor, responder,
// city) renders the console shell instead (screens/console/ConsoleShell.tsx,
// lazy, in the console chunk): side navigation on a desk, a top bar with a
// menu on a phone, never the bottom bar. A volunteer at a console address
// stays in this shell and is told politely it is not for them; their phone
// never fetches the console chunk. An organiser who signs in (or opens the
// app at its start address) lands on their console page.
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { StoreProvider, type Store } from './db/StoreContext';
import { ConsoleOnly, ScreenSwitch, loadConsole, preloadScreens } from './ScreenSwitch';
import { isConsoleRoute, navigate, useRoute, paths } from './router';
import type { Role } from '../shared/schemas';
import { Loading } from './components/Loading';
import { FlashRegion } from './components/Flash';
import { AppFrame } from './AppFrame';

export interface AppShellProps {
  store: Store;
  /** Sync status indicator, shown in the top bar. */
  statusBar?: ReactNode;
  /** Update banner, install button, storage notices: they overlay the top of the screen (AppShell.css). */
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
  const route = useRoute();
  useScreenChange(route);
  useEffect(() => {
    // After the first screen has painted, warm the split screens.
    return preloadScreens(1500);
  }, []);
  return (
    <StoreProvider store={store}>
      <AppFrame route={route} statusBar={statusBar} banners={banners}>
        {isConsoleRoute(route) ? <ConsoleOnly /> : <ScreenSwitch route={route} syncScreen={syncScreen} />}
      </AppFrame>
    </StoreProvider>
  );
}
