// Registers the service worker built by vite-plugin-pwa, through workbox-window.
// Production builds only: the dev server serves no worker.
import { Workbox } from 'workbox-window';

export function registerServiceWorker(): Workbox | undefined {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return undefined;
  const wb = new Workbox('/sw.js', { scope: '/', type: 'classic' });
  void wb.register();
  // Look for a new version when the app comes back to the foreground.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void wb.update();
  });
  return wb;
}
