// Always visible: records waiting, syncing or not, the last sync, the last error.
// Tapping it opens the sync screen with details and "needs attention".
import { useTranslation } from 'react-i18next';
import { useAttention, usePendingCount } from '../db/hooks';
import { formatNumber, formatRelative } from '../i18n';
import { useSyncStatus } from '../session/SessionContext';
import type { SyncEngine } from './engine';

export function SyncStatusBar({ engine }: { engine: SyncEngine }) {
  const { t, i18n } = useTranslation('sync');
  const status = useSyncStatus(engine);
  const pending = usePendingCount();
  const attention = useAttention();
  const lang = i18n.language;

  let text: string;
  if (status.syncing) text = t('bar.syncing');
  else if (status.needsSignIn) text = t('bar.signInAgain');
  else if (pending) text = t('bar.pending', { count: pending, n: formatNumber(pending, lang) });
  else if (status.lastSyncAt) text = t('bar.synced', { when: formatRelative(status.lastSyncAt, lang) });
  else text = t('bar.neverSynced');

  const problem = status.needsSignIn || (status.lastError && status.lastError !== 'offline') || (attention?.length ?? 0) > 0;
  return (
    <a
      href="#/sync"
      className={`sync-pill${problem ? ' sync-pill-warn' : ''}`}
      aria-live="polite"
      data-pending={pending ?? ''}
      data-syncing={status.syncing ? 'true' : 'false'}
    >
      <span className="sync-dot" aria-hidden="true" />
      <span>{text}</span>
      {attention && attention.length > 0 && (
        <span className="sync-badge" aria-label={t('bar.attention', { count: attention.length })}>
          {attention.length}
        </span>
      )}
    </a>
  );
}
