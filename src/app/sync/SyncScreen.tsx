// Everything about sync in plain words: what is waiting, when it last worked,
// what went wrong, and the "needs attention" list — records the server rejected
// (with its reason) and conflicting edits (keep mine / keep theirs). Also the
// account: who is signed in and a sign-out that never loses unsynced records.
import { useState } from 'react';
import { sameValue } from '../../shared/fields';
import { useTranslation } from 'react-i18next';
import { useAttention, useCurrentValues, usePendingCount } from '../db/hooks';
import { useStore } from '../db/StoreContext';
import { resendRejected, resolveConflict } from '../db/attention';
import type { AttentionItem } from '../db/database';
import { formatDate, formatNumber, formatRelative } from '../i18n';
import { useSession, useSyncStatus } from '../session/SessionContext';
import { usePersistence } from '../pwa/usePersistence';
import type { SyncEngine } from './engine';

function recordHref(item: AttentionItem): string {
  if (item.entity === 'household') return `#/household/${item.recordId}`;
  if (item.entity === 'person') return `#/person/${item.recordId}`;
  return '#/';
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function AttentionRow({ item, current }: { item: AttentionItem; current?: unknown }) {
  const { t } = useTranslation('sync');
  const { db } = useStore();
  const [error, setError] = useState<string | undefined>();
  const act = async (p: Promise<{ ok: boolean; reason?: string }>) => {
    const r = await p;
    setError(r.ok ? undefined : t(`attention.failed.${r.reason ?? 'invalid'}`));
  };
  return (
    <li className="card attention-item">
      <p className="attention-kind">
        <strong>{t(`attention.kind.${item.kind}`)}</strong> · {t(`entity.${item.entity}`)}
      </p>
      {item.kind === 'rejected' ? (
        <p>
          {t('attention.reason')}: {t(`reject.${item.code}`, { defaultValue: item.message || item.code })}
          {item.path ? ` (${item.path})` : ''}
        </p>
      ) : (
        <dl className="conflict-values">
          <dt>{t('attention.field')}</dt>
          <dd>{t(`field.${item.field ?? ''}`, { defaultValue: item.field ?? '' })}</dd>
          <dt>{t('attention.mine')}</dt>
          <dd>{display(item.mine)}</dd>
          <dt>{t('attention.theirs')}</dt>
          {/* Until the pull after the push lands, the phone still holds its own value. */}
          <dd>{current === undefined || sameValue(current, item.mine) ? t('attention.waiting') : display(current)}</dd>
        </dl>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="row-actions">
        {item.kind === 'conflict' ? (
          <>
            <button type="button" className="button primary" onClick={() => act(resolveConflict(db, item.key!, 'mine'))}>
              {t('attention.keepMine')}
            </button>
            <button type="button" className="button" onClick={() => act(resolveConflict(db, item.key!, 'theirs'))}>
              {t('attention.keepTheirs')}
            </button>
          </>
        ) : (
          <>
            <a className="button" href={recordHref(item)}>
              {t('attention.fix')}
            </a>
            <button type="button" className="button primary" onClick={() => act(resendRejected(db, item.key!))}>
              {t('attention.resend')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

export function SyncScreen({ engine }: { engine: SyncEngine }) {
  const { t, i18n } = useTranslation('sync');
  const lang = i18n.language;
  const status = useSyncStatus(engine);
  const pending = usePendingCount();
  const attention = useAttention();
  const current = useCurrentValues(attention);
  const { session, signOut } = useSession();
  const persistence = usePersistence();
  const [confirmSignOut, setConfirmSignOut] = useState(false);
  const user = session.status === 'signed_in' ? session.user : undefined;

  return (
    <section aria-labelledby="sync-title" className="screen">
      <h1 id="sync-title">{t('title')}</h1>
      <dl className="facts">
        <dt>{t('pendingLabel')}</dt>
        <dd data-testid="pending-count">{formatNumber(pending ?? 0, lang)}</dd>
        <dt>{t('lastSyncLabel')}</dt>
        <dd>
          {status.lastSyncAt
            ? `${formatRelative(status.lastSyncAt, lang)} (${formatDate(status.lastSyncAt, lang, { timeStyle: 'short', dateStyle: 'short' })})`
            : t('never')}
        </dd>
        <dt>{t('stateLabel')}</dt>
        <dd>{status.syncing ? t('bar.syncing') : t('idle')}</dd>
        {status.lastError && (
          <>
            <dt>{t('lastErrorLabel')}</dt>
            <dd role="status">{t(`error.${status.lastError}`)}</dd>
          </>
        )}
        <dt>{t('storageLabel')}</dt>
        <dd>{t(`storage.${persistence}`)}</dd>
      </dl>
      {status.clockSkewMs !== undefined && (
        <p className="banner banner-warn" role="alert">
          {t('clockSkew', { minutes: Math.round(Math.abs(status.clockSkewMs) / 60000) })}
        </p>
      )}
      <button type="button" className="button primary big" disabled={status.syncing} onClick={() => void engine.syncNow()}>
        {t('syncNow')}
      </button>

      <h2>{t('attention.title')}</h2>
      {attention && attention.length === 0 && <p>{t('attention.none')}</p>}
      <ul className="plain-list">
        {attention?.map((item) => <AttentionRow key={item.key} item={item} current={current[item.key!]} />)}
      </ul>

      <h2>{t('account.title')}</h2>
      {user && (
        <p>
          {t('account.signedInAs', { name: user.displayName, username: user.username })} · {user.wardCode}
          {user.groups.length > 0 && ` · ${user.groups.join(', ')}`}
        </p>
      )}
      {!confirmSignOut ? (
        <button
          type="button"
          className="button big"
          onClick={() => (pending ? setConfirmSignOut(true) : void signOut())}
        >
          {t('account.signOut')}
        </button>
      ) : (
        <div className="banner banner-warn" role="alertdialog" aria-labelledby="signout-warning">
          <p id="signout-warning">{t('account.unsyncedWarning', { count: pending ?? 0 })}</p>
          <div className="banner-actions">
            <button type="button" className="button" onClick={() => setConfirmSignOut(false)}>
              {t('account.stay')}
            </button>
            <button type="button" className="button danger" onClick={() => void signOut()}>
              {t('account.signOutAnyway')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
