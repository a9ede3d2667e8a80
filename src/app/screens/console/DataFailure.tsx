// A console page's failed read, with what to do about it.
import { useTranslation } from 'react-i18next';
import { href, paths } from '../../router';
import type { DataState } from './useServerData';

type Reason = Extract<DataState<unknown>, { status: 'failed' }>['reason'];

export function DataFailure({ reason, onRetry }: { reason: Reason; onRetry: () => void }) {
  const { t } = useTranslation('supervisor');
  return (
    <div className="failure-box" role="alert">
      <p className="form-error">{t(reason === 'invalid' ? 'errors.invalid' : `errors.${reason}`)}</p>
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
