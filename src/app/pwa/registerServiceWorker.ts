// Registers the service worker built by vite-plugin-pwa, through workbox-window.
// Production builds only: the dev server serves no worker. workbox-window is
// imported here dynamically so that it stays out of the first screen's JS: the
// worker is registered a moment after the first paint, which is also what keeps
// its precaching from competing with the first screen for the network.
import type { Workbox } from 'workbox-window';

export function registerServiceWorker(): Promise<Workbox | undefined> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return Promise.resolve(undefined);
  return import('workbox-window').then(({ Workbox }) => {
    const wb = new Workbox('/sw.js', { scope: '/', type: 'classic' });
    void wb.register();
    // Look for a new version when the app comes back to the foreground.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void wb.update();
    });
    return wb;
  });
}
