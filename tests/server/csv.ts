// The server suites' strict RFC 4180 reader for export files: quoted fields,
// doubled quotes, CRLF records only (a bare CR, LF or quote is an error, and so
// is a last record without its CRLF). The e2e journeys use the lenient reader
// in tests/e2e/support/csv.ts, as a spreadsheet would.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (ch === '"' || ch === '\r' || ch === '\n') {
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    } else field += ch;
  }
  if (field !== '' || row.length > 0 || quoted) throw new Error('the last record does not end with CRLF');
  return rows;
}

