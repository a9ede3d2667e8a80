// The sticky save area at the bottom of every form, within thumb reach: the
// failed-write message (storage full, invalid...) right above the one button.
import { useTranslation } from 'react-i18next';
import type { WriteFailure } from '../db/repo';
import { failureMessage } from '../db/writeFailure';

export function SaveBar({ label, failure, disabled }: { label: string; failure: WriteFailure | null; disabled?: boolean }) {
  const { t } = useTranslation(['screens', 'common']);
  return (
    <div className="bottom-actions sticky">
      {failure && (
        <p className="form-error" role="alert">
          {failureMessage(t, failure)}
        </p>
      )}
      <button type="submit" className="button primary big" disabled={disabled}>
        {label}
      </button>
    </div>
  );
}
