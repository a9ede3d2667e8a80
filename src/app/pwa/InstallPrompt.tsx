// "Install the app": a button where the browser offers installation; on an
// iPhone, which has no such event, two illustrated steps (Share → Add to Home
// Screen) instead. Dismissed once, it stays dismissed on this device.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consumeInstallPrompt, installPrompt, isIos, isStandalone, onInstallPromptChange } from './installEvents';
import './InstallPrompt.css';

const DISMISSED = 'gocua.installDismissed';

function ShareIcon() {
  return (
    <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <path d="M12 3l4 4h-3v8h-2V7H8l4-4z" fill="currentColor" />
      <path d="M5 11h3v2H7v7h10v-7h-1v-2h3v11H5z" fill="currentColor" />
    </svg>
  );
}

function AddIcon() {
  return (
    <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
      <rect x="3" y="3" width="18" height="18" rx="4" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M12 7v10M7 12h10" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}

export function InstallPrompt() {
  const { t } = useTranslation('pwa');
  const [, force] = useState(0);
  const [dismissed, setDismissed] = useState(() => {
    try {
      return localStorage.getItem(DISMISSED) === '1';
    } catch {
      return false;
    }
  });
  useEffect(() => onInstallPromptChange(() => force((n) => n + 1)), []);

  if (dismissed || isStandalone()) return null;
  const dismiss = () => {
    setDismissed(true);
    try {
      localStorage.setItem(DISMISSED, '1');
    } catch {
      /* ignore */
    }
  };
  const prompt = installPrompt();

  if (prompt) {
    return (
      <div className="banner banner-info" role="region" aria-label={t('install.title')}>
        <p>{t('install.offer')}</p>
        <div className="banner-actions">
          <button
            type="button"
            className="button primary"
            onClick={async () => {
              await prompt.prompt();
              await prompt.userChoice.catch(() => undefined);
              consumeInstallPrompt();
            }}
          >
            {t('install.button')}
          </button>
          <button type="button" className="button" onClick={dismiss}>
            {t('install.later')}
          </button>
        </div>
      </div>
    );
  }

  if (isIos()) {
    return (
      <div className="banner banner-info" role="region" aria-label={t('install.title')}>
        <p>{t('install.iosIntro')}</p>
        <ol className="ios-steps">
          <li>
            <ShareIcon /> <span>{t('install.iosStep1')}</span>
          </li>
          <li>
            <AddIcon /> <span>{t('install.iosStep2')}</span>
          </li>
        </ol>
        <button type="button" className="button" onClick={dismiss}>
          {t('install.gotIt')}
        </button>
      </div>
    );
  }
  return null;
}
