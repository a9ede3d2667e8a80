// Registers the service worker built by vite-plugin-pwa, through workbox-window.
// Production builds only: the dev server serves no worker. workbox-window is
// imported here dynamically so that it stays out of the first screen's JS.
//
// Both wait for the first paint (firstPaint below), so that neither workbox-window
// nor the worker's precaching (every asset of the shell) competes with the
// first screen for a slow network. Started in the same task as the first render,
// as before, they were requested before anything was on screen, and Lighthouse's
// slow-4G simulation counted their bytes and round trips into the sign-in
// screen's first and largest paint.
import type { Workbox } from 'workbox-window';

/** How long to wait for a first paint that the browser never reports (no Paint Timing, a hidden tab). */
const FIRST_PAINT_FALLBACK_MS = 3_000;

/** Resolves in the task after the page's first contentful paint (or after the fallback delay). */
export function firstPaint(): Promise<void> {
  return new Promise((resolve) => {
    let observer: PerformanceObserver | undefined;
    const done = () => {
      clearTimeout(timer);
      observer?.disconnect();
      resolve();
    };
    const timer = setTimeout(done, FIRST_PAINT_FALLBACK_MS);
    try {
      observer = new PerformanceObserver((list) => {
        if (list.getEntriesByName('first-contentful-paint').length > 0) setTimeout(done, 0);
      });
      observer.observe({ type: 'paint', buffered: true });
    } catch {
      /* no Paint Timing here: the fallback delay */
    }
  });
}

export function registerServiceWorker(): Promise<Workbox | undefined> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return Promise.resolve(undefined);
  return firstPaint()
    .then(() => import('workbox-window'))
    .then(({ Workbox }) => {
      const wb = new Workbox('/sw.js', { scope: '/', type: 'classic' });
      void wb.register();
      // Look for a new version when the app comes back to the foreground.
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') void wb.update();
      });
      return wb;
    });
}
