// Imported into the generated service worker (vite.config.ts, workbox.importScripts).
// Background Sync: when the browser sees connectivity return, wake any open
// Gõ Cửa page so its sync engine runs. The page is the only place that pushes,
// so there is one code path for sync; this is only an extra trigger.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'gocua-sync') return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      for (const client of clients) client.postMessage({ type: 'gocua-sync' });
    }),
  );
});
