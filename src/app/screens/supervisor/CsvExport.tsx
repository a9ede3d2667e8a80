// "Download CSV": a plain link the browser downloads itself. The server streams
// the file with Content-Disposition and the session cookie authenticates it, so
// no JavaScript holds the whole ward's visits in memory on a phone.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

export const EXPORT_PATH = '/api/v1/exports/visits.csv';

/** The export URL for an optional date range (YYYY-MM-DD, as <input type="date"> gives it). */
export function exportHref(range: { from?: string; to?: string }, baseUrl = ''): string {
  const q = new URLSearchParams();
  if (range.from) q.set('from', range.from);
  if (range.to) q.set('to', range.to);
  const qs = q.toString();
  return `${baseUrl}${EXPORT_PATH}${qs ? `?${qs}` : ''}`;
}

export function CsvExport({ baseUrl }: { baseUrl?: string | undefined }) {
  const { t } = useTranslation('supervisor');
  const id = useId();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // Same-format ISO dates compare correctly as strings.
  const badRange = from !== '' && to !== '' && from > to;

  return (
    <section className="report-section csv-export">
      <h2 id={`${id}-title`}>{t('export.title')}</h2>
      <p className="hint">{t('export.intro')}</p>
      <div className="date-range">
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('export.from')}</label>
          <input id={`${id}-from`} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('export.to')}</label>
          <input id={`${id}-to`} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      {badRange ? (
        <>
          <p className="field-error" role="alert">
            {t('export.badRange')}
          </p>
          <button type="button" className="button primary big" disabled>
            {t('export.download')}
          </button>
        </>
      ) : (
        <a className="button primary big" href={exportHref({ from, to }, baseUrl)} download>
          {t('export.download')}
        </a>
      )}
      <p className="hint">{t('export.privacy')}</p>
    </section>
  );
}
