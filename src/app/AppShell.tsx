// The frame around every screen: top bar (name, sync status slot, language),
// banners (update / install, wired by the root), the routed screen, the save
// confirmation live region and the bottom navigation.
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { StoreProvider, type Store } from './db/StoreContext';
import { ScreenSwitch, preloadScreens } from './ScreenSwitch';
import { useRoute, href, paths } from './router';
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

export function AppShell({ store, statusBar, banners, syncScreen }: AppShellProps) {
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
          <ScreenSwitch route={route} syncScreen={syncScreen} />
        </main>
        <FlashRegion />
        <BottomNav route={route} />
      </div>
    </StoreProvider>
  );
}
