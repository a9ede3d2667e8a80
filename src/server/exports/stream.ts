// streamExport(): one dataset of one ward, as CSV or XLSX, written to a
// Writable (the HTTP response, a file, the benchmark's sink) page by page.
// The route, the CLI (export-cli.ts) and the benchmark all call this; the
// audit row is the caller's (audit.ts), because the route must send its id
// before the first byte.
//
// Invariants:
//   1. Redaction is applied HERE, once, for every dataset and format: a
//      column marked `full` in src/shared/exports.ts is empty unless
//      params.detail is 'full'. Dataset code never decides what is personal.
//   2. Backpressure: after each page we wait for the sink (for XLSX: for
//      zlib, whose output waits for the sink; zip-writer.ts) to drain, so a
//      slow client holds the export instead of the server buffering the
//      whole ward in memory.
//   3. On success the sink is ended and we wait until it has taken every
//      byte ('finish'). On failure (a database error, the signal aborted by a
//      cut download) it throws; `progress.rows` says how many rows were
//      written by then, and the caller destroys the sink.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { DATASET_COLUMNS, type Dataset, type ExportColumnSpec, type ExportFormat } from '../../shared/exports';
import type { Db } from '../db';
import { BOM, csvLine } from '../reports/csv';
import type { Cell } from './cells';
import { ApiError } from '../errors';
import { countRows, DATASET_PAGES, type CellRow } from './datasets';
import { hanoiRange, hanoiWallClock, hanoiYear } from './hanoi';
import { createXlsxWriter, XLSX_MAX_DATA_ROWS } from './xlsx-writer';

/**
 * The largest keyset page, per database. SQLite (in process): 1,000. Not
 * more: with one page read ahead, pages of 2,000 visits outgrew V8's young
 * generation and were promoted, and the server's peak RSS crept up with the
 * rows exported (SQLite CSV: 1M / 100k = 1.46×); at 1,000 it stays flat.
 * PostgreSQL: 4,000, because each page is a round trip to another process;
 * measured on a quiet machine, 1M visits as CSV went from 95,000 to
 * 103,000–109,000 rows/s with peak RSS 1M / 100k = 0.98× (bench/RESULTS.md).
 */
const PAGE_SIZE = { sqlite: 1000, postgres: 4000 } as const;

export interface ExportParams {
  ward: string;
  dataset: Dataset;
  format: ExportFormat;
  /** Hanoi calendar days, inclusive (YYYY-MM-DD). */
  from?: string | undefined;
  to?: string | undefined;
  group?: string | undefined;
  /** 'full' adds personal detail; absent means redacted. Callers check who may ask. */
  detail?: 'full' | undefined;
  /** The clock for ages and priority (the Hanoi year). Default: now. */
  now?: Date | undefined;
  pageSize?: number | undefined;
}

export interface ExportOptions {
  /** Aborting it stops the export before its next page (or while it waits to drain). */
  signal?: AbortSignal | undefined;
  /** Tests only: awaited after each page is written. */
  afterPage?: (() => Promise<void>) | undefined;
  /** Rows written so far, updated as pages are written. */
  progress?: { rows: number } | undefined;
  /** Tests only: data rows an XLSX sheet holds, instead of XLSX_MAX_DATA_ROWS. */
  maxSheetRows?: number | undefined;
}

/**
 * 400 too_many_rows when an XLSX export would pass the rows one sheet holds
 * (Excel's 1,048,576, less the header): asked BEFORE the first byte (the
 * route, the CLI), so the client gets an answer instead of a download cut
 * half-way. The count stops at the limit (countRows), so a huge ward costs
 * no more than reading a million index entries. A CSV has no such limit.
 * Rows written between this count and the export can still pass the limit:
 * the writer's own check (xlsx-writer.ts) then cuts the file, as before.
 */
export async function checkSheetFits(db: Db, params: ExportParams, maxRows = XLSX_MAX_DATA_ROWS): Promise<void> {
  if (params.format !== 'xlsx') return;
  const range = hanoiRange(params.from, params.to);
  const n = await countRows(db, params.dataset, { ward: params.ward, range, ...(params.group !== undefined ? { group: params.group } : {}) }, maxRows + 1);
  if (n > maxRows) {
    throw new ApiError(400, 'too_many_rows', `More than ${maxRows} rows: one XLSX sheet cannot hold them. Ask for CSV, a shorter date range or one group`);
  }
}

const toCells = (columns: readonly ExportColumnSpec[], row: CellRow, full: boolean): Cell[] =>
  columns.map((c) => (c.full && !full ? null : (row[c.name] ?? null)));

async function drain(stream: Writable, signal: AbortSignal | undefined) {
  if (stream.writableNeedDrain) await once(stream, 'drain', signal ? { signal } : {});
}

interface Writer {
  page(cells: Cell[][]): Promise<void>;
  end(): Promise<void>;
  destroy?(): void;
}

function csvWriter(columns: readonly ExportColumnSpec[], sink: Writable, signal: AbortSignal | undefined): Writer {
  let pending = BOM + csvLine(columns.map((c) => c.name));
  return {
    async page(rows) {
      for (const r of rows) pending += csvLine(r);
      sink.write(Buffer.from(pending, 'utf8'));
      pending = '';
      await drain(sink, signal);
    },
    async end() {
      if (pending) sink.write(Buffer.from(pending, 'utf8'));
      sink.end();
      await finished(sink, { readable: false });
    },
  };
}

/** XLSX through our streaming writer (xlsx-writer.ts); it applies the formula guard and the cell kinds. */
async function xlsxWriter(dataset: Dataset, columns: readonly ExportColumnSpec[], sink: Writable, signal: AbortSignal | undefined, now: Date, maxRows: number | undefined): Promise<Writer> {
  const xlsx = await createXlsxWriter(sink, dataset, columns, { signal, modified: hanoiWallClock(now.getTime()), maxRows });
  return {
    page: (rows) => xlsx.addRows(rows),
    end: () => xlsx.end(),
    destroy: () => xlsx.destroy(),
  };
}

/** Writes the export to `sink` and ends it. Returns the number of data rows. */
export async function streamExport(db: Db, params: ExportParams, sink: Writable, options: ExportOptions = {}): Promise<number> {
  const columns = DATASET_COLUMNS[params.dataset];
  const full = params.detail === 'full';
  const progress = options.progress ?? { rows: 0 };
  const now = params.now ?? new Date();
  const writer = params.format === 'csv' ? csvWriter(columns, sink, options.signal) : await xlsxWriter(params.dataset, columns, sink, options.signal, now, options.maxSheetRows);
  const pages = DATASET_PAGES[params.dataset](db, {
    ward: params.ward,
    range: hanoiRange(params.from, params.to),
    ...(params.group !== undefined ? { group: params.group } : {}),
    year: hanoiYear(now),
    pageSize: params.pageSize ?? PAGE_SIZE[db.dialect],
  });
  try {
    for await (const page of pages) {
      options.signal?.throwIfAborted();
      await writer.page(page.map((row) => toCells(columns, row, full)));
      progress.rows += page.length;
      await options.afterPage?.();
    }
    options.signal?.throwIfAborted();
    await writer.end();
  } catch (error) {
    writer.destroy?.();
    throw error;
  }
  return progress.rows;
}
