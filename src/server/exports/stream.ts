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
//   2. Backpressure: after each page we wait for the sink (and, for XLSX, for
//      the zip's compressor) to drain, so a slow client holds the export
//      instead of the server buffering the whole ward in memory.
//   3. On success the sink is ended and we wait until it has taken every
//      byte ('finish'). On failure (a database error, the signal aborted by a
//      cut download) it throws; `progress.rows` says how many rows were
//      written by then, and the caller destroys the sink.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { DATASET_COLUMNS, type Dataset, type ExportColumnSpec, type ExportFormat } from '../../shared/exports';
import type { Db } from '../db';
import { BOM, csvLine } from '../reports/csv';
import { guardFormula, type Cell } from './cells';
import { DATASET_PAGES, type CellRow } from './datasets';
import { hanoiRange, hanoiWallClock, hanoiYear } from './hanoi';

const PAGE_SIZE = 500;

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
}

const toCells = (columns: readonly ExportColumnSpec[], row: CellRow, full: boolean): Cell[] =>
  columns.map((c) => (c.full && !full ? null : (row[c.name] ?? null)));

/**
 * Whether a write to `stream` should wait for 'drain'. exceljs's zip input is
 * a readable-stream v2 PassThrough, which has no writableNeedDrain getter:
 * its state says it instead.
 */
function needsDrain(stream: Writable): boolean {
  if (typeof stream.writableNeedDrain === 'boolean') return stream.writableNeedDrain;
  return (stream as unknown as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain === true;
}

async function drain(stream: Writable, signal: AbortSignal | undefined) {
  if (needsDrain(stream)) await once(stream, 'drain', signal ? { signal } : {});
}

interface Writer {
  page(cells: Cell[][]): Promise<void>;
  end(): Promise<void>;
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

const DATE_FORMAT = 'yyyy-mm-dd';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** An XLSX cell: numbers as numbers, days and instants as dates (Hanoi), text guarded. */
function xlsxValue(kind: ExportColumnSpec['kind'], value: Cell): ExcelJS.CellValue {
  if (value === null || value === '') return null;
  if (typeof value === 'number') return value;
  if (kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00.000Z`);
  if (kind === 'datetime') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return hanoiWallClock(ms);
  }
  return guardFormula(value);
}

function xlsxWriter(dataset: Dataset, columns: readonly ExportColumnSpec[], sink: Writable, signal: AbortSignal | undefined): Writer {
  // No shared strings: they are kept in memory until the end. Styles for the
  // bold header and the date formats.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(dataset, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.name,
    key: c.name,
    width: c.width,
    ...(c.kind === 'date' ? { style: { numFmt: DATE_FORMAT } } : c.kind === 'datetime' ? { style: { numFmt: DATETIME_FORMAT } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  // exceljs 4.4.0 (pinned) writes each sheet into a StreamBuf that pushes to
  // the zip's compressor without backpressure; its `pipes` are that
  // compressor's input. Waiting for them to drain bounds what is buffered.
  const sheetPipes = () => ((sheet as unknown as { stream?: { pipes?: Writable[] } }).stream?.pipes ?? []);
  return {
    async page(rows) {
      for (const r of rows) sheet.addRow(r.map((v, i) => xlsxValue(columns[i]!.kind, v))).commit();
      // The StreamBuf hands its chunks to the compressor a few promise turns
      // later, so right after the rows nothing looks full yet. On SQLite the
      // next page is read synchronously: without this turn (and needsDrain),
      // a 1M-row export piled up ahead of the compressor (926 MiB peak RSS).
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const p of sheetPipes()) await drain(p, signal);
      await drain(sink, signal);
    },
    async end() {
      sheet.commit();
      await workbook.commit(); // ends the sink
      await finished(sink, { readable: false });
    },
  };
}

/** Writes the export to `sink` and ends it. Returns the number of data rows. */
export async function streamExport(db: Db, params: ExportParams, sink: Writable, options: ExportOptions = {}): Promise<number> {
  const columns = DATASET_COLUMNS[params.dataset];
  const full = params.detail === 'full';
  const progress = options.progress ?? { rows: 0 };
  const writer = params.format === 'csv' ? csvWriter(columns, sink, options.signal) : xlsxWriter(params.dataset, columns, sink, options.signal);
  const pages = DATASET_PAGES[params.dataset](db, {
    ward: params.ward,
    range: hanoiRange(params.from, params.to),
    ...(params.group !== undefined ? { group: params.group } : {}),
    year: hanoiYear(params.now ?? new Date()),
    pageSize: params.pageSize ?? PAGE_SIZE,
  });
  for await (const page of pages) {
    options.signal?.throwIfAborted();
    await writer.page(page.map((row) => toCells(columns, row, full)));
    progress.rows += page.length;
    await options.afterPage?.();
  }
  options.signal?.throwIfAborted();
  await writer.end();
  return progress.rows;
}
