// Downloading an export from the console: the URL from the supervisor's
// choices, the request read chunk by chunk so the screen can show progress and
// a Cancel button, and the failure as a value the screen words.
//
// Why fetch and not a plain link: a link gives no progress, no cancel and no
// readable error (a 400 reason_required would download as a JSON "file"). The
// price is that the file is held in memory as a Blob until it is saved; a
// ward's export is a few megabytes, which a supervisor's computer or phone
// holds easily.
//
// Cancelling aborts the request; the server sees the connection close and
// marks its audit row 'incomplete'. Nothing is saved.
import { apiErrorSchema } from '../../../shared/protocol';
import type { Dataset, ExportFormat } from '../../../shared/exports';
import type { HttpOptions } from '../../sync/http';

export interface ExportChoice {
  dataset: Dataset;
  format: ExportFormat;
  /** YYYY-MM-DD (Hanoi days), '' for open-ended. */
  from: string;
  to: string;
  /** A residential group, '' for the whole ward. */
  group: string;
  /** Names and house numbers: detail=full, with a reason the server records. */
  full: boolean;
  reason: string;
}

/** The export's URL; empty choices are left out, the reason only travels with detail=full. */
export function exportUrl(c: ExportChoice, baseUrl = ''): string {
  const q = new URLSearchParams();
  if (c.from) q.set('from', c.from);
  if (c.to) q.set('to', c.to);
  if (c.group) q.set('group', c.group);
  if (c.full) {
    q.set('detail', 'full');
    q.set('reason', c.reason.trim());
  }
  const qs = q.toString();
  return `${baseUrl}/api/v1/exports/${c.dataset}.${c.format}${qs ? `?${qs}` : ''}`;
}

export interface ExportProgress {
  bytes: number;
  /** From Content-Length, when the server knows it (a streamed export usually does not). */
  total: number | undefined;
  /** Data rows so far, for CSV only (an XLSX is a zip: its rows cannot be counted on the way). */
  rows: number | undefined;
}

export type ExportFailure =
  | 'offline' // no network, or the connection broke half-way
  | 'unauthenticated'
  | 'forbidden'
  | 'reason_required'
  | 'too_many_rows' // an XLSX past Excel's row limit: choose CSV or a narrower range
  | 'invalid_request'
  | 'cancelled'
  | 'failed'; // a 5xx, or anything that is not our file nor our error

export type ExportResult =
  | { ok: true; fileName: string; blob: Blob; exportId: string | undefined; progress: ExportProgress }
  | { ok: false; reason: ExportFailure };

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * The file name from Content-Disposition: filename* (RFC 5987, UTF-8) wins
 * over the ASCII filename; a name with a path in it is cut to its last part.
 */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const ext = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  let name: string | undefined;
  if (ext) {
    try {
      name = decodeURIComponent(ext[2]!.trim());
    } catch {
      name = undefined;
    }
  }
  name ??= /filename\s*=\s*"([^"]*)"/i.exec(disposition)?.[1] ?? /filename\s*=\s*([^;\s]+)/i.exec(disposition)?.[1];
  const base = name?.split(/[/\\]/).pop()?.trim();
  return base ? base : fallback;
}

async function failureOf(res: Response): Promise<ExportFailure> {
  if (res.status === 401) return 'unauthenticated';
  if (res.status === 403) return 'forbidden';
  if (res.status === 400) {
    let code: string | undefined;
    try {
      const parsed = apiErrorSchema.safeParse(await res.json());
      code = parsed.success ? parsed.data.error.code : undefined;
    } catch {
      code = undefined;
    }
    return code === 'reason_required' || code === 'too_many_rows' ? code : 'invalid_request';
  }
  return 'failed';
}

const NEWLINE = 0x0a;

/**
 * Fetches one export, reporting progress per chunk. Resolves with the whole
 * file or a failure; never throws.
 */
export async function fetchExport(
  choice: ExportChoice,
  opts: HttpOptions & { onProgress?: (p: ExportProgress) => void },
): Promise<ExportResult> {
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const signal = opts.signal;
  const cancelled = () => signal?.aborted === true;
  let res: Response;
  try {
    res = await fetchImpl(exportUrl(choice, opts.baseUrl), {
      credentials: 'same-origin',
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
  } catch {
    return { ok: false, reason: cancelled() ? 'cancelled' : 'offline' };
  }
  if (!res.ok) return { ok: false, reason: await failureOf(res) };
  // A captive portal answers 200 with its own page: that is not our file.
  if ((res.headers.get('content-type') ?? '').includes('text/html') || !res.body) return { ok: false, reason: 'failed' };

  const length = Number(res.headers.get('content-length'));
  const progress: ExportProgress = {
    bytes: 0,
    total: Number.isFinite(length) && length > 0 ? length : undefined,
    rows: choice.format === 'csv' ? 0 : undefined,
  };
  // The header line ends with the first newline; rows are the newlines after it.
  let newlines = 0;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value as Uint8Array<ArrayBuffer>);
      progress.bytes += value.byteLength;
      if (progress.rows !== undefined) {
        for (const b of value) if (b === NEWLINE) newlines += 1;
        progress.rows = Math.max(0, newlines - 1);
      }
      opts.onProgress?.({ ...progress });
    }
  } catch {
    return { ok: false, reason: cancelled() ? 'cancelled' : 'offline' };
  }
  if (cancelled()) return { ok: false, reason: 'cancelled' };

  const fallback = `gocua-${choice.dataset}.${choice.format}`;
  return {
    ok: true,
    fileName: fileNameFrom(res.headers.get('content-disposition'), fallback),
    blob: new Blob(chunks, { type: MIME[choice.format] }),
    exportId: res.headers.get('x-export-id') ?? undefined,
    progress,
  };
}

/** Hands a downloaded file to the browser's own "save" through a Blob URL. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the save in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
