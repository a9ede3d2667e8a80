// The frame around every screen: skip link, top bar (name, sync status slot,
// language), banners, the screen, the save confirmation live region and the
// bottom navigation. It needs no data, so the first paint of a signed-in
// session (Root, before the data layer's chunk has loaded) draws the very same
// frame as AppShell does once it has: nothing moves when the data arrives.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { href, paths, type Route } from './router';
import { BottomNav } from './components/BottomNav';
import { LanguageSwitch } from './components/LanguageSwitch';
import { FlashRegion } from './components/Flash';
import './AppShell.css';

export interface AppFrameProps {
  route: Route;
  /** Sync status indicator in the top bar; its slot keeps its place while empty. */
  statusBar?: ReactNode;
  /** Update banner, install offer, storage notices: they overlay the screen (AppShell.css). */
  banners?: ReactNode;
  children: ReactNode;
}

export function AppFrame({ route, statusBar, banners, children }: AppFrameProps) {
  const { t } = useTranslation('common');
  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <a className="brand" href={href(paths.home())}>
          {t('appName')}
        </a>
        <div className="status-slot">{statusBar}</div>
        <LanguageSwitch />
      </header>
      {banners && <div className="banners">{banners}</div>}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <FlashRegion />
      <BottomNav route={route} />
    </div>
  );
}
