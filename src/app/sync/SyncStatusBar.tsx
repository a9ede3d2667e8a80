// Always visible: records waiting, syncing or not, the last sync, the last error.
// Two short lines so it fits a 360 px top bar in both languages; the sync screen
// (a tap away) says the same things in full sentences.
import { useTranslation } from 'react-i18next';
import { useAttention, usePendingCount } from '../db/hooks';
import { formatNumber, formatRelative } from '../i18n';
import { useSyncStatus } from '../session/SessionContext';
import type { SyncEngine } from './engine';

/** `engine` is undefined for the first frames, before the engine's chunk has loaded. */
export function SyncStatusBar({ engine }: { engine: SyncEngine | undefined }) {
  const { t, i18n } = useTranslation('sync');
  const status = useSyncStatus(engine);
  const pending = usePendingCount();
  const attention = useAttention();
  const lang = i18n.language;

  let state: string;
  if (status.syncing) state = t('bar.syncing');
  else if (status.needsSignIn) state = t('bar.signInAgain');
  else if (pending) state = t('bar.pending', { count: pending, n: formatNumber(pending, lang) });
  else state = t('bar.allSent');

  let detail: string;
  if (status.lastError && !status.syncing) detail = t(`short.${status.lastError}`);
  else if (status.clockSkewMs !== undefined) detail = t('short.clock');
  else if (status.lastSyncAt) detail = formatRelative(status.lastSyncAt, lang);
  else detail = t('bar.neverSynced');

  const problem =
    status.needsSignIn ||
    status.clockSkewMs !== undefined ||
    (status.lastError && status.lastError !== 'offline') ||
    (attention?.length ?? 0) > 0;
  return (
    <a
      href="#/sync"
      className={`sync-pill${problem ? ' sync-pill-warn' : ''}`}
      aria-live="polite"
      data-pending={pending ?? ''}
      data-syncing={status.syncing ? 'true' : 'false'}
    >
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-text">
        <span className="visually-hidden">{t('title')}: </span>
        <span className="sync-line">{state}</span>
        <span className="sync-line sync-line-detail">{detail}</span>
      </span>
      {attention && attention.length > 0 && (
        <span className="sync-badge">
          {attention.length}
          <span className="visually-hidden"> {t('bar.attention', { count: attention.length })}</span>
        </span>
      )}
    </a>
  );
}
