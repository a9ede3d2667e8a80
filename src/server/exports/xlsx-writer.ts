// Our own streaming XLSX writer: one worksheet, written row by row into a
// ZIP whose sheet part is deflated as it goes (zip-writer.ts). It replaces
// exceljs's WorkbookWriter on the export path, whose per-cell objects capped
// exports at 14,000–18,000 rows/s (bench/RESULTS.md); exceljs stays as the
// independent READER of our files in the tests.
//
// What a file holds (SpreadsheetML, ECMA-376 part 1, the parts Excel and
// LibreOffice need and no more): [Content_Types].xml, the package and
// workbook relationships, xl/workbook.xml naming ONE sheet after the dataset,
// xl/styles.xml (the styles below), and xl/worksheets/sheet1.xml with a frozen
// first row, the column widths, then the rows.
//
// Cells, by the column's kind (src/shared/exports.ts):
//   - text: an inline string (t="inlineStr"), so nothing is kept in memory
//     for a shared-strings table; guardFormula() first (cells.ts), like CSV;
//     characters XML 1.0 forbids are dropped, lone surrogates become U+FFFD;
//   - number: a number cell;
//   - date ('YYYY-MM-DD') and datetime (an instant with its offset): a date
//     serial number with a date style; a datetime shows the Hanoi wall clock
//     (hanoi.ts), since a spreadsheet cell has no time zone; a value that does
//     not parse is written as text;
//   - null or '': no cell at all.
// Every row and cell carries its address (r="B7"): exceljs's reader needs it.
//
// Limits, checked as rows are written (a violation throws, the export is cut
// and audited incomplete): a sheet holds at most XLSX_MAX_DATA_ROWS data rows
// (Excel's 1,048,576 rows, less the header), and no ZIP part or offset may
// reach 4 GiB (zip-writer.ts).
import type { Writable } from 'node:stream';
import type { ColumnKind } from '../../shared/exports';
import { guardFormula, type Cell } from './cells';
import { HANOI_OFFSET_MS } from './hanoi';
import { ZipWriter, type ZipWriterOptions } from './zip-writer';

/** Excel's rows per sheet (1,048,576) less the header row. */
export const XLSX_MAX_DATA_ROWS = 1_048_575;

export class XlsxTooManyRowsError extends Error {
  constructor(limit: number) {
    super(`An XLSX sheet holds at most ${limit} data rows: ask for CSV, or a shorter date range`);
    this.name = 'XlsxTooManyRowsError';
  }
}

export interface XlsxColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Width in characters. */
  readonly width: number;
}

export interface XlsxWriterOptions extends ZipWriterOptions {
  /** Tests only: the row limit instead of XLSX_MAX_DATA_ROWS. */
  maxRows?: number | undefined;
}

// The style indexes of styles.xml's cellXfs.
const STYLE_HEADER = 1;
const STYLE_DATE = 2;
const STYLE_DATETIME = 3;

const DAY_MS = 86_400_000;
/** Excel's serial number of 1970-01-01 (1900 date system). */
const EPOCH_SERIAL = 25_569;
/** 1900-03-01: serials before it are off by Excel's 29 Feb 1900; such dates are written as text. */
const FIRST_SAFE_MS = Date.UTC(1900, 2, 1);

/** A string must be escaped, or has a character XML 1.0 forbids, or a surrogate to check. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NEEDS_WORK = /[&<>\u0000-\u0008\u000b-\u001f\ud800-\udfff\ufffe\uffff]/;
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text as XML character data: & < > escaped, CR kept as &#13; (a parser turns a raw CR into LF). */
export function xmlText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text
    .replace(FORBIDDEN, '')
    .replace(LONE_SURROGATE, '\ufffd')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/** For attribute values (sheet names): quotes too. */
const xmlAttr = (text: string) => xmlText(text).replaceAll('"', '&quot;');

/** A, B, …, Z, AA, … */
export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** An inline-string cell's content; xml:space="preserve" keeps leading or trailing blanks. */
function inlineString(text: string): string {
  const escaped = xmlText(text);
  return isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1))
    ? ` t="inlineStr"><is><t xml:space="preserve">${escaped}</t></is></c>`
    : ` t="inlineStr"><is><t>${escaped}</t></is></c>`;
}

/** The serial number of a real 'YYYY-MM-DD' day (not 30 February: V8's Date.parse takes it), or undefined. */
function daySerial(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(5, 7)) - 1;
  const d = Number(text.slice(8, 10));
  const ms = Date.UTC(y, m, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m || back.getUTCDate() !== d || ms < FIRST_SAFE_MS) return undefined;
  return ms / DAY_MS + EPOCH_SERIAL;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The serial number of an instant's Hanoi wall-clock time, or undefined. */
function instantSerial(text: string): number | undefined {
  // ISO 8601 with an offset only: V8's Date.parse reads '-1' as a year.
  if (!ISO_INSTANT.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) || ms < FIRST_SAFE_MS ? undefined : (ms + HANOI_OFFSET_MS) / DAY_MS + EPOCH_SERIAL;
}

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const CONTENT_TYPES =
  `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';

const PACKAGE_RELS =
  `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">` +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '</Relationships>';

const WORKBOOK_RELS =
  `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">` +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '</Relationships>';

// cellXfs: 0 default, 1 bold (header), 2 date, 3 date-time.
const STYLES =
  `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">` +
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="4">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const workbookXml = (sheetName: string) =>
  `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
  `<bookViews><workbookView/></bookViews><sheets><sheet name="${xmlAttr(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

/** Excel's rules for a sheet name. */
function checkSheetName(name: string) {
  if (name.length === 0 || name.length > 31 || /[\\/?*[\]:]/.test(name) || name.startsWith("'") || name.endsWith("'")) {
    throw new Error(`Not a valid sheet name: ${JSON.stringify(name)}`);
  }
}

/** Write the UTF-8 of the rows in pieces of about this many characters. */
const PIECE_CHARS = 256 * 1024;

export interface XlsxWriter {
  /** Appends rows (cells in column order); resolves when the next rows may be written. */
  addRows(rows: readonly (readonly Cell[])[]): Promise<void>;
  /** Ends the sheet and the file, and waits until the sink took every byte. */
  end(): Promise<void>;
  /** After a failure: frees zlib. The caller destroys the sink. */
  destroy(): void;
}

/**
 * Starts an XLSX file of one sheet on `sink` and writes its header row. The
 * small parts are written first, so the sheet can stream to the end.
 */
export async function createXlsxWriter(sink: Writable, sheetName: string, columns: readonly XlsxColumn[], options: XlsxWriterOptions = {}): Promise<XlsxWriter> {
  checkSheetName(sheetName);
  const zip = new ZipWriter(sink, options);
  const maxRows = options.maxRows ?? XLSX_MAX_DATA_ROWS;
  await zip.addFile('[Content_Types].xml', CONTENT_TYPES);
  await zip.addFile('_rels/.rels', PACKAGE_RELS);
  await zip.addFile('xl/workbook.xml', workbookXml(sheetName));
  await zip.addFile('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
  await zip.addFile('xl/styles.xml', STYLES);
  const sheet = zip.stream('xl/worksheets/sheet1.xml');

  // Precomputed per column: '<c r="<letters>' (the row number follows), and
  // what a date cell's style adds.
  const open = columns.map((_, i) => `<c r="${columnLetters(i)}`);
  const kinds = columns.map((c) => c.kind);
  const width = columns.length;

  const head =
    `${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    `<cols>${columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join('')}</cols>` +
    '<sheetData>' +
    `<row r="1" s="${STYLE_HEADER}" customFormat="1">${columns.map((c, i) => `${open[i]}1" s="${STYLE_HEADER}"${inlineString(c.name)}`).join('')}</row>`;
  await sheet.write(Buffer.from(head, 'utf8'));

  let rowNumber = 1;
  return {
    async addRows(rows) {
      let xml = '';
      for (const cells of rows) {
        if (rowNumber - 1 >= maxRows) throw new XlsxTooManyRowsError(maxRows);
        const r = String(++rowNumber);
        xml += `<row r="${r}">`;
        for (let i = 0; i < width; i++) {
          const v = cells[i];
          if (v === null || v === undefined || v === '') continue;
          if (typeof v === 'number') {
            xml += Number.isFinite(v) ? `${open[i]}${r}"><v>${v}</v></c>` : `${open[i]}${r}"${inlineString(String(v))}`;
            continue;
          }
          const kind = kinds[i];
          if (kind === 'date' || kind === 'datetime') {
            const serial = kind === 'date' ? daySerial(v) : instantSerial(v);
            if (serial !== undefined) {
              xml += `${open[i]}${r}" s="${kind === 'date' ? STYLE_DATE : STYLE_DATETIME}"><v>${serial}</v></c>`;
              continue;
            }
          }
          xml += `${open[i]}${r}"${inlineString(guardFormula(v))}`;
        }
        xml += '</row>';
        if (xml.length >= PIECE_CHARS) {
          await sheet.write(Buffer.from(xml, 'utf8'));
          xml = '';
        }
      }
      if (xml) await sheet.write(Buffer.from(xml, 'utf8'));
    },
    async end() {
      await sheet.write(Buffer.from('</sheetData></worksheet>', 'utf8'));
      await sheet.close();
      await zip.finish();
    },
    destroy: () => zip.destroy(),
  };
}
