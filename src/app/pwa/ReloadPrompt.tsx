// "New version — reload". registerType is 'prompt': a new service worker waits
// until the volunteer taps the button, so an update never interrupts a form.
// Drafts are in IndexedDB, so even the reload the tap causes loses nothing.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Workbox } from 'workbox-window';

const OFFLINE_READY_MS = 8_000;

export function ReloadPrompt({ workbox }: { workbox: Workbox | undefined }) {
  const { t } = useTranslation('pwa');
  const [waiting, setWaiting] = useState(false);
  const [offlineReady, setOfflineReady] = useState(false);

  useEffect(() => {
    if (!workbox) return;
    const onWaiting = () => setWaiting(true);
    const onInstalled = (e: { isUpdate?: boolean }) => {
      if (!e.isUpdate) setOfflineReady(true);
    };
    workbox.addEventListener('waiting', onWaiting);
    workbox.addEventListener('installed', onInstalled);
    return () => {
      workbox.removeEventListener('waiting', onWaiting);
      workbox.removeEventListener('installed', onInstalled);
    };
  }, [workbox]);

  // "Ready for offline use" is news, not a question: it goes by itself.
  useEffect(() => {
    if (!offlineReady) return;
    const t = setTimeout(() => setOfflineReady(false), OFFLINE_READY_MS);
    return () => clearTimeout(t);
  }, [offlineReady]);

  if (waiting && workbox) {
    return (
      <div className="banner banner-update" role="alert">
        <p>{t('update.available')}</p>
        <div className="banner-actions">
          <button
            type="button"
            className="button primary"
            onClick={() => {
              // Reload only once the new worker has taken control.
              workbox.addEventListener('controlling', () => window.location.reload());
              workbox.messageSkipWaiting();
            }}
          >
            {t('update.reload')}
          </button>
          <button type="button" className="button" onClick={() => setWaiting(false)}>
            {t('update.later')}
          </button>
        </div>
      </div>
    );
  }
  if (offlineReady) {
    return (
      <div className="banner banner-info" role="status">
        <p>{t('update.offlineReady')}</p>
        <button type="button" className="button" onClick={() => setOfflineReady(false)}>
          {t('update.ok')}
        </button>
      </div>
    );
  }
  return null;
}
