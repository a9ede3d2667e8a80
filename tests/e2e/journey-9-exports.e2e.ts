// Journey 9 — exports from the console, in Vietnamese, at a desk. A volunteer's
// device pushes two households with Vietnamese names through the real sync
// push. The ward's supervisor, at 1280 px, downloads the people list as XLSX
// twice: redacted (the default: no name, no phone, no house number) and, with
// "Kèm họ tên và số nhà" and a reason, in full (names and house numbers, still
// no phone). Both files open with exceljs's reader. Each download has an audit
// row, through the API and in the console's audit list. Then the same section
// at 360 px: it fits, every target is 48 px, axe finds nothing.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord } from '../factories/records';
import { exportAuditPageSchema } from '../../src/shared/exportAudit';
import { RESULTS_DIR, traceTest } from './support/browser';
import type { E2EServer, E2EUser } from './support/server';
import { go, signIn, waitForServiceWorkerControl } from './support/app';
import { axeViolations, sidewaysOverflow, tapTargets } from './support/checks';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

const DESK = { width: 1280, height: 900 };
const SHOTS = path.join(RESULTS_DIR, 'journey-9-exports');
const REASON = 'Danh sách người cao tuổi cần thăm tận nhà cho tổ trưởng TDP 5';
const NAMES = ['Đặng Thị Thu', 'Nguyễn Văn Hùng', 'Lê Thị Ngọc Ánh'];
const PHONE = '0912345678';

/** Signs in over HTTP as a device does; returns the session cookie. */
async function sessionCookie(user: E2EUser): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** Two households and three people, pushed as the volunteer's phone would push them. */
async function seedThroughSyncPush(volunteer: E2EUser): Promise<void> {
  const thu = createHouseholdRecord({ group: 'TDP 5', headName: NAMES[0]!, phone: PHONE, address: { houseNumber: '17', lane: 'Ngõ 8', street: 'Hàng Gai' } });
  const hung = createHouseholdRecord({ group: 'TDP 5', headName: NAMES[1]!, address: { houseNumber: '23B', street: 'Hàng Bông' } });
  const people = [
    createPersonRecord(thu.id, { fullName: NAMES[0]!, birthYear: 1948 }),
    createPersonRecord(thu.id, { fullName: NAMES[2]!, birthYear: 1979 }),
    createPersonRecord(hung.id, { fullName: NAMES[1]!, birthYear: 1951 }),
  ];
  const box = new Outbox();
  const res = await fetch(`${server.url}/api/v1/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: await sessionCookie(volunteer) },
    body: JSON.stringify(box.body([box.create('household', thu), box.create('household', hung), ...people.map((p) => box.create('person', p))])),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { results: Array<{ status: string }> };
  expect(body.results.map((r) => r.status)).toEqual(Array(5).fill('applied'));
}

/** Every non-empty cell of every sheet, as text, row by row. */
async function xlsxRows(file: string): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const rows: string[][] = [];
  book.eachSheet((sheet) =>
    sheet.eachRow((row) => {
      const cells: string[] = [];
      row.eachCell((cell) => cells.push(cell.text));
      rows.push(cells);
    }),
  );
  return rows;
}

/** Clicks "Tải tệp" and returns the saved file's path and name, and the response's audit id. */
async function downloadFile(page: Page): Promise<{ file: string; name: string; exportId: string | null; url: string }> {
  const [download, response] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForResponse((r) => r.url().includes('/api/v1/exports/')),
    page.getByRole('button', { name: 'Tải tệp' }).click(),
  ]);
  expect(await download.failure()).toBeNull();
  await page.getByRole('status').filter({ hasText: 'Đã tải xong' }).waitFor();
  return { file: (await download.path())!, name: download.suggestedFilename(), exportId: response.headers()['x-export-id'] ?? null, url: response.url() };
}

async function auditThroughApi(context: BrowserContext) {
  const cookie = (await context.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
  const res = await fetch(`${server.url}/api/v1/audit/exports?limit=10`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return exportAuditPageSchema.parse(await res.json());
}

it('journey 9: the supervisor downloads the people XLSX, names only with a reason, and both downloads are audited', async (ctx) => {
  const trace = traceTest(ctx);
  mkdirSync(SHOTS, { recursive: true });
  const lan = await server.createUser({ groups: ['TDP 5'], displayName: 'Nguyễn Thị Lan' });
  const hoa = await server.createUser({ role: 'supervisor', displayName: 'Phạm Thị Hoa' });
  await seedThroughSyncPush(lan);

  // A desk in the ward office (CSP bypassed only so axe can be injected).
  const office = await trace.context(browser, { viewport: DESK, bypassCSP: true, acceptDownloads: true }, 'supervisor');
  const sup = await office.newPage();
  await signIn(sup, server.url, hoa);
  await waitForServiceWorkerControl(sup);
  await go(sup, '/console/exports');
  await sup.locator('main .export-form').waitFor();
  const exportsSection = sup.getByRole('region', { name: 'Tải dữ liệu', exact: true });
  await exportsSection.getByText('Chưa có lần tải nào.').waitFor();

  await sup.getByLabel('Dữ liệu', { exact: true }).selectOption({ label: 'Người dân' });
  await sup.getByLabel('Định dạng tệp').selectOption({ label: 'Excel (XLSX)' });
  await sup.getByLabel('Tổ dân phố', { exact: true }).selectOption({ label: 'TDP 5' });

  // ---- Redacted, the default: the people are there, their names are not.
  const redacted = await downloadFile(sup);
  expect(redacted.url).toBe(`${server.url}/api/v1/exports/people.xlsx?group=TDP+5`);
  expect(redacted.name).toMatch(/\.xlsx$/);
  const plain = await xlsxRows(redacted.file);
  const plainText = plain.flat().join('\n');
  expect(plain.length, 'a header and a row per person, at least').toBeGreaterThanOrEqual(1 + NAMES.length);
  for (const name of NAMES) expect(plainText).not.toContain(name);
  expect(plainText).not.toContain(PHONE);
  expect(plainText).not.toContain('23B');

  // ---- Full detail: the switch asks for a reason, then names and house numbers come.
  await sup.getByRole('checkbox', { name: 'Kèm họ tên và số nhà' }).check();
  await sup.getByRole('button', { name: 'Tải tệp' }).click();
  await sup.getByText('Hãy ghi lý do, ít nhất 10 ký tự.').waitFor();
  await sup.getByRole('textbox', { name: /Lý do cần họ tên và số nhà/ }).fill(REASON);
  const full = await downloadFile(sup);
  expect(new URL(full.url).searchParams.get('detail')).toBe('full');
  expect(new URL(full.url).searchParams.get('reason')).toBe(REASON);
  const named = await xlsxRows(full.file);
  const namedText = named.flat().join('\n');
  expect(named.length, 'the same rows, with more in them').toBe(plain.length);
  for (const name of NAMES) expect(namedText).toContain(name);
  expect(namedText).toContain('23B');
  expect(namedText, 'phones never').not.toContain(PHONE);
  await sup.screenshot({ path: path.join(SHOTS, 'after-downloads-1280.png'), fullPage: true });

  // ---- The audit trail: two rows, newest first, through the API…
  const audit = await auditThroughApi(office);
  expect(audit.entries.slice(0, 2)).toMatchObject([
    { dataset: 'people', format: 'xlsx', detail: 'full', reason: REASON, group: 'TDP 5', rows: NAMES.length, status: 'complete', userId: expect.any(String) },
    { dataset: 'people', format: 'xlsx', detail: 'redacted', group: 'TDP 5', rows: NAMES.length, status: 'complete' },
  ]);
  if (full.exportId !== null) expect(audit.entries[0]!.id).toBe(full.exportId);
  // …and on screen.
  const table = sup.getByRole('table', { name: 'Các lần tải dữ liệu của phường, mới nhất trước' });
  const newest = table.getByRole('row').nth(1);
  await newest.getByText(REASON).waitFor();
  expect(await newest.locator('td').allInnerTexts()).toEqual([
    'Bạn (Phạm Thị Hoa)', 'Người dân\nTDP 5', 'Excel (XLSX)', 'Có họ tên, số nhà', REASON, String(NAMES.length), 'Hoàn tất',
  ]);
  expect(await table.getByRole('row').count()).toBe(3);

  // ---- The section at a desk and on a phone: pictures to look at, and the checks.
  await exportsSection.screenshot({ path: path.join(SHOTS, 'exports-1280.png') });
  expect(await axeViolations(sup)).toEqual([]);
  await sup.setViewportSize({ width: 360, height: 740 });
  await exportsSection.screenshot({ path: path.join(SHOTS, 'exports-360.png') });
  expect((await sidewaysOverflow(sup)).scrollWidth).toBeLessThanOrEqual(360);
  expect((await tapTargets(sup)).small).toEqual([]);
  expect(await axeViolations(sup)).toEqual([]);
  await office.close();
});
