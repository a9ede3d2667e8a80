// @vitest-environment node
// The streaming XLSX writer and its ZIP: files read back with exceljs (an
// independent reader) and JSZip (CRC-32 checked), `unzip -t` and LibreOffice
// when the machine has them; escaping, the formula guard, numbers, dates in
// Hanoi wall-clock time, the limits, and memory over 100,000 rows.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cell } from './cells';
import { XLSX_MAX_DATA_ROWS, XlsxTooManyRowsError, columnLetters, createXlsxWriter, xmlText, type XlsxColumn } from './xlsx-writer';
import { ZipTooLargeError } from './zip-writer';

const COLUMNS: XlsxColumn[] = [
  { name: 'id', kind: 'text', width: 20 },
  { name: 'count', kind: 'number', width: 8 },
  { name: 'on', kind: 'date', width: 12 },
  { name: 'at', kind: 'datetime', width: 20 },
  { name: 'note', kind: 'text', width: 30 },
];

/** Collects everything written to it. */
function collector() {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (chunks.push(chunk), cb()) });
  return { sink, body: () => Buffer.concat(chunks) };
}

async function xlsx(rows: Cell[][], columns = COLUMNS, sheet = 'visits'): Promise<Buffer> {
  const { sink, body } = collector();
  const w = await createXlsxWriter(sink, sheet, columns);
  await w.addRows(rows);
  await w.end();
  return body();
}

async function read(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}

const cellsOf = (sheet: ExcelJS.Worksheet, row: number, width = COLUMNS.length) =>
  Array.from({ length: width }, (_, i) => sheet.getRow(row).getCell(i + 1).value);

const tmp = mkdtempSync(path.join(tmpdir(), 'gocua-xlsx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the XLSX writer', () => {
  it('writes one sheet named after the dataset, a bold frozen header and the column widths', async () => {
    const wb = await read(await xlsx([['a', 1, '2026-08-02', '2026-08-01T23:30:00.000Z', 'x']]));
    expect(wb.worksheets.map((s) => s.name)).toEqual(['visits']);
    const sheet = wb.worksheets[0]!;
    expect(cellsOf(sheet, 1)).toEqual(COLUMNS.map((c) => c.name));
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.getRow(1).getCell(3).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(COLUMNS.map((_, i) => sheet.getColumn(i + 1).width)).toEqual(COLUMNS.map((c) => c.width));
    expect(sheet.rowCount).toBe(2);
  });

  it('writes numbers as numbers, days as dates and instants as Hanoi wall-clock dates', async () => {
    const wb = await read(await xlsx([['a', 42, '2026-08-02', '2026-08-01T23:30:15.250Z', null], ['b', 0.5, '2026-12-31', '2026-08-02T06:30:00+07:00', '']]));
    const sheet = wb.worksheets[0]!;
    const [, count, on, at] = cellsOf(sheet, 2);
    expect(count).toBe(42);
    expect(on).toEqual(new Date('2026-08-02T00:00:00.000Z'));
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('yyyy-mm-dd');
    // 23:30:15.250Z on 1 Aug is 06:30:15.250 on 2 Aug in Hanoi; the cell has no zone.
    expect((at as Date).getTime()).toBe(Date.parse('2026-08-02T06:30:15.250Z'));
    expect(sheet.getRow(2).getCell(4).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(cellsOf(sheet, 3).slice(1, 4)).toEqual([0.5, new Date('2026-12-31T00:00:00.000Z'), new Date('2026-08-02T06:30:00.000Z')]);
    // Empty and null cells are no cells at all.
    expect(sheet.getRow(2).getCell(5).value).toBeNull();
    expect(sheet.getRow(3).getCell(5).value).toBeNull();
  });

  it('writes a date or an instant that does not parse as text, guarded', async () => {
    const wb = await read(await xlsx([['a', null, '2026-02-30', 'yesterday', null], ['b', null, '1899-12-31', '-1', null]]));
    const sheet = wb.worksheets[0]!;
    expect(cellsOf(sheet, 2).slice(2, 4)).toEqual(['2026-02-30', 'yesterday']);
    expect(cellsOf(sheet, 3).slice(2, 4)).toEqual(['1899-12-31', "'-1"]);
  });

  it.each([
    ['=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'],
    ['+84 912 345 678', "'+84 912 345 678"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['a=b', 'a=b'],
  ])('guards the text cell %j against formulas', async (value, expected) => {
    const wb = await read(await xlsx([['a', null, null, null, value]]));
    expect(wb.worksheets[0]!.getRow(2).getCell(5).value).toBe(expected);
  });

  it('never guards a number', async () => {
    const wb = await read(await xlsx([['a', -3, null, null, null]]));
    expect(wb.worksheets[0]!.getRow(2).getCell(2).value).toBe(-3);
  });

  it.each([
    ['markup', 'a < b & c > d "q" \'s\' </t></is></c>', 'a < b & c > d "q" \'s\' </t></is></c>'],
    ['Vietnamese', 'Nguyễn Thị Ánh, ngõ 9 Hàng Bông', 'Nguyễn Thị Ánh, ngõ 9 Hàng Bông'],
    ['emoji (a surrogate pair)', 'Bà 👵 vui', 'Bà 👵 vui'],
    ['line breaks', 'một\r\nhai\nba', 'một\r\nhai\nba'],
    ['blanks at both ends', '  cách  ', '  cách  '],
    ['control characters XML forbids', 'a\u0000b\u0001c\u001fd\u000be', 'abcde'],
    ['a lone surrogate', 'x\ud800y', 'x\ufffdy'],
  ])('escapes %s', async (_, value, expected) => {
    const body = await xlsx([['a', null, null, null, value]]);
    expect((await read(body)).worksheets[0]!.getRow(2).getCell(5).value).toBe(expected);
    // The sheet part is well-formed XML with the text escaped, not raw markup.
    const sheetXml = await (await JSZip.loadAsync(body)).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(sheetXml).not.toContain('</t></is></c></t>');
  });

  it('escapes text without touching what needs nothing', () => {
    expect(xmlText('plain ngõ')).toBe('plain ngõ');
    expect(xmlText('<&>\r')).toBe('&lt;&amp;&gt;&#13;');
  });

  it('names columns A … Z, AA …', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('refuses a sheet name Excel would refuse', async () => {
    await expect(createXlsxWriter(new PassThrough(), 'a/b', COLUMNS)).rejects.toThrow(/sheet name/);
    await expect(createXlsxWriter(new PassThrough(), 'x'.repeat(32), COLUMNS)).rejects.toThrow(/sheet name/);
  });

  it('fails clearly past the rows a sheet holds', async () => {
    expect(XLSX_MAX_DATA_ROWS).toBe(1_048_575);
    const w = await createXlsxWriter(new PassThrough().resume(), 'visits', COLUMNS, { maxRows: 3 });
    await w.addRows([['a'], ['b'], ['c']]);
    await expect(w.addRows([['d']])).rejects.toBeInstanceOf(XlsxTooManyRowsError);
    w.destroy();
  });

  it('fails clearly before the ZIP would pass 4 GiB', async () => {
    const w = await createXlsxWriter(new PassThrough().resume(), 'visits', COLUMNS, { limit: 64 * 1024 });
    const rows: Cell[][] = Array.from({ length: 2000 }, (_, i) => [`row ${i}`, i, null, null, 'x'.repeat(40)]);
    await expect(w.addRows(rows)).rejects.toBeInstanceOf(ZipTooLargeError);
    w.destroy();
  });
});

describe('the ZIP around it', () => {
  it('has valid CRC-32s and sizes for every part, streamed or whole', async () => {
    const rows: Cell[][] = Array.from({ length: 5000 }, (_, i) => [`id-${i}`, i, '2026-08-02', '2026-08-01T23:30:00.000Z', `ghi chú ${i} Hàng Bông`]);
    const body = await xlsx(rows);
    const zip = await JSZip.loadAsync(body, { checkCRC32: true });
    expect(Object.keys(zip.files).sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    const wb = await read(body);
    expect(wb.worksheets[0]!.rowCount).toBe(5001);
    expect(cellsOf(wb.worksheets[0]!, 5001)).toEqual(['id-4999', 4999, new Date('2026-08-02T00:00:00.000Z'), new Date('2026-08-02T06:30:00.000Z'), 'ghi chú 4999 Hàng Bông']);
  });

  it.skipIf(spawnSync('unzip', ['-v']).status !== 0)('passes `unzip -t`', async () => {
    const file = path.join(tmp, 'test.xlsx');
    writeFileSync(file, await xlsx([['a', 1, '2026-08-02', '2026-08-01T23:30:00.000Z', 'Hàng Bông']]));
    expect(execFileSync('unzip', ['-t', file]).toString()).toContain('No errors detected');
  });

  it.skipIf(spawnSync('soffice', ['--version']).status !== 0)('opens in LibreOffice (converted to CSV)', async () => {
    const file = path.join(tmp, 'lo.xlsx');
    writeFileSync(file, await xlsx([['Nguyễn Thị Ánh', 7, '2026-08-02', '2026-08-01T23:30:00.000Z', '=1+1']]));
    execFileSync('soffice', ['--headless', '--convert-to', 'csv', '--outdir', tmp, file], { timeout: 60_000 });
    const csv = readFileSync(path.join(tmp, 'lo.csv'), 'utf8');
    expect(csv).toContain('Nguyễn Thị Ánh,7,2026-08-02,2026-08-02 06:30:00');
    expect(csv).toContain("'=1+1");
  }, 90_000);
});

describe('streaming', () => {
  it('waits for a sink that takes nothing, instead of buffering the rows', async () => {
    let received = 0;
    const stalled = new Writable({ highWaterMark: 16 * 1024, write: (chunk: Buffer) => void (received += chunk.length) });
    const controller = new AbortController();
    const w = await createXlsxWriter(stalled, 'visits', COLUMNS, { signal: controller.signal });
    let written = 0;
    const run = (async () => {
      for (let page = 0; page < 200; page++) {
        await w.addRows(Array.from({ length: 500 }, (_, i) => [`${page}-${i}-${Math.random()}`, i, null, null, `${Math.random()}`]));
        written += 500;
      }
    })().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    expect(await run).toBeInstanceOf(Error);
    w.destroy();
    expect(received).toBeGreaterThan(0);
    expect(written).toBeLessThan(20_000);
  });

  it('writes 100,000 rows with flat memory', async () => {
    let bytes = 0;
    let buffered = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write: (chunk: Buffer, _enc, cb) => {
        bytes += chunk.length;
        buffered = Math.max(buffered, sink.writableLength);
        setImmediate(cb);
      },
    });
    const w = await createXlsxWriter(sink, 'visits', COLUMNS);
    const page = (p: number): Cell[][] =>
      Array.from({ length: 1000 }, (_, i) => [`0190f3c2-${p}-${i}-${Math.random().toString(36).slice(2)}`, i, '2026-08-02', '2026-08-01T23:30:00.000Z', `Ghi chú ${Math.random()}`]);
    const heap: number[] = [];
    for (let p = 0; p < 100; p++) {
      await w.addRows(page(p));
      if (p % 10 === 9) heap.push(process.memoryUsage().heapUsed + process.memoryUsage().external);
    }
    await w.end();
    expect(bytes).toBeGreaterThan(1_000_000);
    // What waits in the sink stays about one zlib chunk: the writer waited for it.
    expect(buffered).toBeLessThan(256 * 1024);
    // After the first tenth, memory does not grow with the rows written.
    expect(Math.max(...heap.slice(1)) - heap[0]!).toBeLessThan(32 * 2 ** 20);
  }, 30_000);
});
