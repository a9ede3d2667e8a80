// "Tải dữ liệu": the dashboard's exports console. The supervisor picks the
// data, the format, the dates, the group and whether names and house numbers
// are included (which needs a reason the server records); the file downloads
// with progress and a Cancel button; below, the audit list of every export.
//
// Redacted is the default and the switch starts off every time the screen
// opens: personal detail is something asked for, never left on.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DATASETS, FORMATS, MIN_REASON_LENGTH, type Dataset, type ExportFormat } from '../../../shared/exports';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Field';
import { formatNumber } from '../../i18n';
import type { HttpOptions } from '../../sync/http';
import { ExportAuditList } from './ExportAuditList';
import { fetchExport, saveBlob, type ExportChoice, type ExportFailure, type ExportProgress } from './exportDownload';
import { useExportAudit } from './useExportAudit';
import './Exports.css';

type DownloadState =
  | { status: 'idle' }
  | { status: 'downloading'; progress: ExportProgress | undefined }
  | { status: 'saved'; fileName: string; rows: number | undefined }
  | { status: 'failed'; reason: ExportFailure };

/** 1 234 567 bytes → "1,2 MB" (in the UI language's number format). */
export function formatBytes(bytes: number, lang: string): string {
  const unit = (value: number, u: 'byte' | 'kilobyte' | 'megabyte') =>
    new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
  if (bytes < 1000) return unit(bytes, 'byte');
  if (bytes < 1_000_000) return unit(bytes / 1000, 'kilobyte');
  return unit(bytes / 1_000_000, 'megabyte');
}

const options = <T extends string>(values: readonly T[], label: (v: T) => string) =>
  values.map((v) => (
    <option key={v} value={v}>
      {label(v)}
    </option>
  ));

export interface ExportsProps {
  /** Where and how to reach the server; must be stable (see Dashboard). */
  http?: HttpOptions | undefined;
  /** The ward's residential groups, from the report summary (empty while it loads). */
  groups: string[];
  /** Hands the file to the browser; tests replace it (jsdom has no Blob URLs). */
  save?: (blob: Blob, fileName: string) => void;
}

export function Exports({ http, groups, save = saveBlob }: ExportsProps) {
  const { t, i18n } = useTranslation('supervisor');
  const audit = useExportAudit(http);
  const [dataset, setDataset] = useState<Dataset>('visits');
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [group, setGroup] = useState('');
  const [full, setFull] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [download, setDownload] = useState<DownloadState>({ status: 'idle' });
  const controller = useRef<AbortController | null>(null);

  // Leaving the dashboard mid-download cancels it (the server marks it incomplete).
  useEffect(() => () => controller.current?.abort(), []);

  // Same-format ISO dates compare correctly as strings.
  const badRange = from !== '' && to !== '' && from > to;
  const busy = download.status === 'downloading';
  const n = (x: number) => formatNumber(x, i18n.language);

  async function start(e: FormEvent) {
    e.preventDefault();
    if (busy || badRange) return;
    if (full && reason.trim().length < MIN_REASON_LENGTH) {
      setReasonError('supervisor:exports.reasonShort');
      return;
    }
    setReasonError(undefined);
    const choice: ExportChoice = { dataset, format, from, to, group, full, reason };
    const abort = new AbortController();
    controller.current = abort;
    setDownload({ status: 'downloading', progress: undefined });
    const result = await fetchExport(choice, {
      ...http,
      signal: abort.signal,
      onProgress: (progress) => setDownload({ status: 'downloading', progress }),
    });
    if (controller.current === abort) controller.current = null;
    if (result.ok) {
      save(result.blob, result.fileName);
      setDownload({ status: 'saved', fileName: result.fileName, rows: result.progress.rows });
    } else {
      if (result.reason === 'reason_required') setReasonError('supervisor:exports.errors.reason_required');
      setDownload({ status: 'failed', reason: result.reason });
    }
    // Every attempt, finished or not, has an audit row now.
    audit.reload();
  }

  const progressText = (p: ExportProgress | undefined) => {
    if (!p) return t('exports.downloading');
    const size = formatBytes(p.bytes, i18n.language);
    const received = p.total ? t('exports.receivedOf', { size, total: formatBytes(p.total, i18n.language) }) : t('exports.received', { size });
    return p.rows === undefined ? received : `${received} · ${t('exports.rows', { count: p.rows, n: n(p.rows) })}`;
  };

  return (
    <section className="report-section exports" aria-labelledby="report-exports">
      <h2 id="report-exports">{t('exports.title')}</h2>
      <p className="hint">{t('exports.intro')}</p>
      <form className="export-form" noValidate onSubmit={(e) => void start(e)}>
        <div className="export-choices">
          <SelectField label={t('exports.dataset')} value={dataset} onChange={(v) => setDataset(v as Dataset)}>
            {options(DATASETS, (d) => t(`exports.datasets.${d}`))}
          </SelectField>
          <SelectField label={t('exports.format')} value={format} onChange={(v) => setFormat(v as ExportFormat)}>
            {options(FORMATS, (f) => t(`exports.formats.${f}`))}
          </SelectField>
          <TextField label={t('exports.from')} type="date" value={from} onChange={setFrom} />
          <TextField label={t('exports.to')} type="date" value={to} onChange={setTo} error={badRange ? 'supervisor:exports.badRange' : undefined} />
          <SelectField label={t('exports.group')} value={group} onChange={setGroup}>
            <option value="">{t('exports.allGroups')}</option>
            {options(groups, (g) => g)}
          </SelectField>
        </div>

        <div className="export-detail">
          <CheckboxField
            label={t('exports.full')}
            hint={t('exports.fullHint')}
            checked={full}
            onChange={(on) => {
              setFull(on);
              if (!on) setReasonError(undefined);
            }}
          />
          {full && (
            <TextAreaField
              label={t('exports.reason')}
              hint={t('exports.reasonHint')}
              required
              value={reason}
              error={reasonError}
              onChange={(v) => {
                setReason(v);
                if (reasonError && v.trim().length >= MIN_REASON_LENGTH) setReasonError(undefined);
              }}
            />
          )}
          <p className="hint export-privacy">{t(full ? 'exports.privacyFull' : 'exports.privacyRedacted')}</p>
        </div>

        <div className="export-actions">
          <button type="submit" className="button primary" disabled={busy || badRange}>
            {t('exports.download')}
          </button>
          {busy && (
            <button type="button" className="button danger" onClick={() => controller.current?.abort()}>
              {t('exports.cancel')}
            </button>
          )}
        </div>
      </form>

      <div className="export-outcome">
        {busy && (
          <progress
            aria-label={t('exports.downloading')}
            {...(download.progress?.total ? { max: download.progress.total, value: download.progress.bytes } : {})}
          />
        )}
        {/* Always in the page, so a screen reader hears what changes inside it. */}
        <p role="status" className={download.status === 'saved' ? 'export-saved' : undefined}>
          {busy && progressText(download.progress)}
          {download.status === 'saved' && t('exports.saved', { file: download.fileName })}
          {download.status === 'saved' && download.rows !== undefined && ` · ${t('exports.rows', { count: download.rows, n: n(download.rows) })}`}
          {download.status === 'failed' && download.reason === 'cancelled' && t('exports.cancelled')}
        </p>
        {download.status === 'failed' && download.reason !== 'cancelled' && (
          <p role="alert" className="form-error">
            {t(`exports.errors.${download.reason}`)}
          </p>
        )}
      </div>

      <ExportAuditList state={audit.state} onLoadMore={audit.loadMore} onRetry={audit.reload} />
    </section>
  );
}
