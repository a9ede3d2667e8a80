// The audit list under the exports console: every export of the ward (the
// server sends the supervisor's own ward only), newest first, a page at a time.
// Who asked, when, for what, with which reason, how many rows, and whether the
// file was delivered whole.
import { useTranslation } from 'react-i18next';
import type { ExportAudit } from '../../../shared/exports';
import { useStore } from '../../db/StoreContext';
import { formatDate, formatNumber } from '../../i18n';
import type { AuditState } from './useExportAudit';

function when(iso: string, lang: string): string {
  return Number.isNaN(Date.parse(iso)) ? iso : formatDate(iso, lang, { dateStyle: 'short', timeStyle: 'short' });
}

/** The table's columns, in the order AuditRow fills them. */
const COLUMNS = ['when', 'who', 'dataset', 'format', 'detail', 'reason', 'rows', 'status'] as const;

/** The server pages newest first already; sorting again keeps it so across pages and clocks. */
const newestFirst = (entries: ExportAudit[]) => [...entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

function AuditRow({ entry }: { entry: ExportAudit }) {
  const { t, i18n } = useTranslation('supervisor');
  const { user } = useStore();
  const none = t('exports.audit.none');
  const scope = [
    entry.from || entry.to ? t('exports.audit.range', { from: entry.from ?? t('exports.audit.open'), to: entry.to ?? t('exports.audit.open') }) : '',
    entry.group ?? '',
  ].filter(Boolean);
  return (
    <tr className={`audit-${entry.status}`}>
      <th scope="row">{when(entry.at, i18n.language)}</th>
      <td>{entry.userId === user.id ? t('exports.audit.you', { name: user.displayName }) : entry.userId}</td>
      <td>
        {t(`exports.datasets.${entry.dataset}`)}
        {scope.length > 0 && <span className="audit-scope">{scope.join(' · ')}</span>}
      </td>
      <td>{t(`exports.formats.${entry.format}`)}</td>
      <td className={entry.detail === 'full' ? 'audit-full' : undefined}>{t(`exports.audit.details.${entry.detail}`)}</td>
      <td className="audit-reason">{entry.reason || none}</td>
      <td className="audit-rows">{formatNumber(entry.rows, i18n.language)}</td>
      <td>{t(`exports.audit.statuses.${entry.status}`)}</td>
    </tr>
  );
}

export function ExportAuditList({ state, onLoadMore, onRetry }: { state: AuditState; onLoadMore: () => void; onRetry: () => void }) {
  const { t } = useTranslation('supervisor');
  return (
    <section className="export-audit">
      <h3 id="export-audit-title">{t('exports.audit.title')}</h3>
      {state.status === 'loading' && <p className="loading">{t('exports.audit.loading')}</p>}
      {state.status === 'failed' && (
        // Not an alert: nobody asked for it just now, the page loaded it by itself.
        <div className="failure-box">
          <p className="form-error">{t('exports.audit.failed')}</p>
          <button type="button" className="button" onClick={onRetry}>
            {t('exports.audit.retry')}
          </button>
        </div>
      )}
      {state.status === 'ok' && state.entries.length === 0 && <p className="empty">{t('exports.audit.empty')}</p>}
      {state.status === 'ok' && state.entries.length > 0 && (
        <>
          <p className="hint">{t('exports.audit.intro')}</p>
          <div className="table-scroll" role="region" aria-labelledby="export-audit-title" tabIndex={0}>
            <table className="data-table audit-table">
              <caption>{t('exports.audit.caption')}</caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c} scope="col">
                      {t(`exports.audit.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {newestFirst(state.entries).map((e) => (
                  <AuditRow key={e.id} entry={e} />
                ))}
              </tbody>
            </table>
          </div>
          {state.moreFailed && <p className="field-error">{t('exports.audit.moreFailed')}</p>}
          {state.hasMore && (
            <button type="button" className="button audit-more" onClick={onLoadMore} disabled={state.loadingMore}>
              {t(state.loadingMore ? 'exports.audit.loadingMore' : 'exports.audit.loadMore')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
