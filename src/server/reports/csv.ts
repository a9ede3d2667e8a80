// CSV cells for every export: RFC 4180 quoting plus a defence against
// spreadsheet formula injection (OWASP "CSV injection").
//
//   1. A cell whose first character is = + - @ TAB or CR would be read by Excel,
//      LibreOffice or Google Sheets as a formula (e.g. =HYPERLINK(...) or
//      +84 912 ... typed by a volunteer): it gets a leading apostrophe, which
//      spreadsheets show as text and do not display.
//   2. Then, a cell containing a comma, a double quote, CR or LF is wrapped in
//      double quotes, with every double quote doubled.
// Records end with CRLF. The file starts with a UTF-8 byte order mark so Excel
// reads Vietnamese as UTF-8 rather than the Windows code page.
import { guardFormula } from '../exports/cells';

export const BOM = '\uFEFF';
const CRLF = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? guardFormula(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + CRLF;
}
