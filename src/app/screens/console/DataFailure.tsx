// A console page's failed read, with what to do about it.
import { useTranslation } from 'react-i18next';
import { href, paths } from '../../router';
import type { DataState } from './useServerData';

type Reason = Extract<DataState<unknown>, { status: 'failed' }>['reason'];

/**
 * `texts`: the key in the supervisor texts (locales, supervisor.json) holding one message per
 * reason (`errors` by default; the city view words its own as `city.errors`).
 */
export function DataFailure({ reason, onRetry, texts = 'errors' }: { reason: Reason; onRetry: () => void; texts?: string }) {
  const { t } = useTranslation('supervisor');
  return (
    <div className="failure-box" role="alert">
      <p className="form-error">{t(`${texts}.${reason}`)}</p>
      {reason === 'unauthenticated' && (
        <a className="button" href={href(paths.sync())}>
          {t('errors.signInAgain')}
        </a>
      )}
      {reason !== 'forbidden' && reason !== 'invalid' && (
        <button type="button" className="button primary" onClick={onRetry}>
          {t('errors.retry')}
        </button>
      )}
    </div>
  );
}
