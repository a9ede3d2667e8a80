// The signed-in app: the user's store around the frame (AppFrame.tsx: top bar,
// banners, bottom navigation) and the routed screen. It is loaded right after
// first paint, with the data layer (Dexie); Root draws the same frame until then.
import { useEffect, useRef, type ReactNode } from 'react';
import { StoreProvider, type Store } from './db/StoreContext';
import { ScreenSwitch, preloadScreens } from './ScreenSwitch';
import { useRoute } from './router';
import { AppFrame } from './AppFrame';

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

export function AppShell({ store, statusBar, banners, syncScreen }: AppShellProps) {
  const route = useRoute();
  useScreenChange(route);
  useEffect(() => {
    // After the first screen has painted, warm the split screens.
    const t = setTimeout(preloadScreens, 1500);
    return () => clearTimeout(t);
  }, []);
  return (
    <StoreProvider store={store}>
      <AppFrame route={route} statusBar={statusBar} banners={banners}>
        <ScreenSwitch route={route} syncScreen={syncScreen} />
      </AppFrame>
    </StoreProvider>
  );
}
