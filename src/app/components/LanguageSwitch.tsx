import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from '../i18n';
import './LanguageSwitch.css';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation('common');
  return (
    <div className="lang-switch" role="group" aria-label={t('language.label')}>
      {LANGUAGES.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          aria-pressed={i18n.language === lang}
          // The name starts with the visible "VI"/"EN" (WCAG 2.5.3, label in name), so
          // "tap EN" works for voice control, then says the language in full.
          aria-label={`${lang.toUpperCase()} — ${t(`language.${lang}`)}`}
          onClick={() => void setLanguage(lang)}
        >
          {lang.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
