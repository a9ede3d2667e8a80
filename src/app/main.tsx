// Entry point: capture the install prompt early, load the language, register the
// service worker, then mount the root. base.css is imported first so that it
// comes first in the CSS: every component's own sheet builds on it.
import './base.css';
import { captureInstallPrompt } from './pwa/installEvents';
import { createRoot } from 'react-dom/client';
import { StrictMode } from 'react';
import { initI18n, prefetchOtherLanguages } from './i18n';
import { registerServiceWorker } from './pwa/registerServiceWorker';
import { persistAfterFirstSave } from './pwa/persist';
import { Root } from './Root';

captureInstallPrompt();

void initI18n().then(() => {
  const registration = registerServiceWorker();
  persistAfterFirstSave();
  prefetchOtherLanguages(3000);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Root registration={registration} />
    </StrictMode>,
  );
});
