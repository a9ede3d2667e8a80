// Online services submitted with help: free text with suggestions (datalist),
// added as removable chips. Text left in the box is counted on save
// (servicesToSave in screens/visitDraft.ts), so no extra "add" tap is needed.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import './ServicesInput.css';

export const SERVICE_SUGGESTION_KEYS = [
  'permanentResidence',
  'temporaryResidence',
  'idCard',
  'criminalRecord',
  'birthRegistration',
  'ihanoiReport',
  'marriageStatus',
  'healthInsurance',
] as const;

export function ServicesInput({
  services,
  input,
  onServices,
  onInput,
  error,
}: {
  services: readonly string[];
  input: string;
  onServices: (next: string[]) => void;
  onInput: (next: string) => void;
  error?: string | undefined;
}) {
  const { t, i18n } = useTranslation('common');
  // Suggestions are stored under their official Vietnamese names whatever the
  // screen language, so supervisors' counts never split one service in two.
  const official = i18n.getFixedT('vi', 'common');
  const id = useId();
  const add = () => {
    const s = input.trim();
    if (s && !services.includes(s)) onServices([...services, s]);
    onInput('');
  };
  return (
    <div className={`field services${error ? ' has-error' : ''}`}>
      <label htmlFor={`${id}-input`}>{t('services.label')}</label>
      <div className="input-row">
        <input
          id={`${id}-input`}
          type="text"
          list={`${id}-list`}
          autoComplete="off"
          value={input}
          aria-describedby={`${id}-hint`}
          onChange={(e) => onInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="button secondary" onClick={add}>
          {t('services.add')}
        </button>
      </div>
      <p className="hint" id={`${id}-hint`}>
        {t('services.suggestionsNote')}
      </p>
      <datalist id={`${id}-list`}>
        {SERVICE_SUGGESTION_KEYS.map((k) => (
          <option key={k} value={official(`services.suggestions.${k}`)} label={t(`services.suggestions.${k}`)} />
        ))}
      </datalist>
      {services.length > 0 && (
        <ul className="service-chips" aria-label={t('services.added')}>
          {services.map((s) => (
            <li key={s}>
              <span>{s}</span>
              <button
                type="button"
                className="icon-button"
                aria-label={t('services.remove', { service: s })}
                onClick={() => onServices(services.filter((x) => x !== s))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="field-error">{t(error)}</p>}
    </div>
  );
}
