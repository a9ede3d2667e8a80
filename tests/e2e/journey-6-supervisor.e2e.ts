// Journey 6 — supervisor (issue 4), in Vietnamese. A volunteer records a
// household and a visit and syncs; her phone never downloads the supervisor
// screens, and #/dashboard tells her politely it is not for her. A supervisor
// of the same ward, in a fresh browser, opens the ward dashboard from Home,
// sees the visit in the figures, and downloads the CSV from the exports
// console: the header is the versioned export columns, the row's Vietnamese
// street is intact, and by default nobody's name or house number is in it.
// (Full detail, the XLSX and the audit list are journey 9's.)
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { EXPORT_COLUMNS } from '../../src/shared/reports';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import {
  addPerson,
  go,
  openVisitForm,
  registerHousehold,
  saveVisit,
  signIn,
  stepChip,
  waitForPending,
  waitForServiceWorkerControl,
} from './support/app';
import { axeViolations, sidewaysOverflow, tapTargets } from './support/checks';
import { csvRecords, parseCsv } from './support/csv';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

const YEAR = new Date().getFullYear();
const SUPERVISOR_CHUNK = /\/assets\/supervisor-[^/]*\.(js|css)$/;

/** Every URL in the page's Cache Storage (the service worker's precache and runtime caches). */
async function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) out.push(req.url);
    }
    return out;
  });
}

/** The cells of the coverage row of one residential group, header first. */
async function coverageRow(page: Page, group: string): Promise<string[]> {
  const row = page.getByRole('table', { name: 'Độ phủ theo tổ dân phố' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: group, exact: true }) });
  return row.locator('th, td').allInnerTexts();
}

it('journey 6: the supervisor sees the volunteer’s visit in the ward figures and downloads it as CSV', async (ctx) => {
  const trace = traceTest(ctx);
  const lan = await server.createUser({ groups: ['TDP 5'], displayName: 'Nguyễn Thị Lan' });
  const hoa = await server.createUser({ role: 'supervisor', displayName: 'Phạm Thị Hoa' });

  // ---- The volunteer records a household and a visit, online, and syncs.
  const volunteer = await trace.context(browser, {}, 'volunteer');
  const page = await volunteer.newPage();
  const requested: string[] = [];
  volunteer.on('request', (r) => requested.push(r.url()));
  await signIn(page, server.url, lan);
  await waitForServiceWorkerControl(page);
  await registerHousehold(page, { group: 'TDP 5', houseNumber: '3', lane: '8', street: 'Hàng Gai', headName: 'Đặng Thị Thu', poverty: 'Hộ cận nghèo' });
  await addPerson(page, { fullName: 'Đặng Thị Thu', birthYear: YEAR - 66, smartphone: true });
  await openVisitForm(page);
  await stepChip(page, 'Đặng Thị Thu', 'VNeID', 'Đã cài đặt').click();
  await saveVisit(page);
  await waitForPending(page, 0);

  // Her phone has the other screens (precached, idle preload) but never the supervisor's.
  await go(page, '/');
  await page.getByRole('heading', { name: 'Hôm nay', exact: true }).waitFor();
  expect(await page.locator('main').getByRole('link', { name: 'Bảng tổng hợp' }).count()).toBe(0);
  await page.waitForTimeout(2_000); // past the idle preload of split screens (1.5 s)
  const cached = await cachedUrls(page);
  expect(cached.some((u) => /\/assets\/VisitForm-/.test(u)), 'the precache is there').toBe(true);
  expect(cached.filter((u) => SUPERVISOR_CHUNK.test(u))).toEqual([]);
  expect(requested.filter((u) => SUPERVISOR_CHUNK.test(u))).toEqual([]);
  // Typing the address anyway: a polite refusal, and no figures asked of the server.
  await go(page, '/dashboard');
  await page.getByRole('heading', { name: 'Chỉ dành cho cán bộ giám sát' }).waitFor();
  expect(requested.filter((u) => u.includes('/api/v1/reports/'))).toEqual([]);
  await volunteer.close();

  // ---- The supervisor, in a fresh browser (CSP bypassed only so axe can be injected).
  const office = await trace.context(browser, { bypassCSP: true, acceptDownloads: true }, 'supervisor');
  const sup = await office.newPage();
  await signIn(sup, server.url, hoa);
  await waitForServiceWorkerControl(sup);
  // An organiser lands in the console (#/console/dashboard), its own chunk.
  await sup.waitForURL(/#\/console\/dashboard$/);
  await sup.getByRole('heading', { level: 1, name: 'Bảng tổng hợp' }).waitFor();

  // The figures include her visit.
  await sup.getByTestId('visits-total').getByText('1', { exact: true }).waitFor();
  expect(await sup.getByTestId('visits-door').locator('.stat-number').innerText()).toBe('1');
  // group, share visited, households, visited, not home, declined, unknocked, priority people
  expect(await coverageRow(sup, 'TDP 5')).toEqual(['TDP 5', '100%', '1', '1', '0', '0', '0', '1']);
  const installed = sup.getByRole('table', { name: 'VNeID' }).getByRole('row', { name: /Đã cài đặt/ });
  expect(await installed.locator('td').allInnerTexts()).toEqual(['1', '0']);

  // Accessible, and it fits a phone: tables scroll in their own box, never the page.
  expect(await axeViolations(sup)).toEqual([]);
  expect((await sidewaysOverflow(sup)).scrollWidth).toBeLessThanOrEqual(360);
  expect((await tapTargets(sup)).small).toEqual([]);

  // ---- The CSV: the console's exports page fetches what the server streams and hands it to the browser.
  // At phone width the console's navigation is behind its Menu button.
  await sup.getByRole('button', { name: /Menu/ }).click();
  await sup.getByRole('navigation', { name: 'Điều hướng trang điều hành' }).getByRole('link', { name: 'Tải dữ liệu' }).click();
  const [download] = await Promise.all([sup.waitForEvent('download'), sup.getByRole('button', { name: 'Tải tệp' }).click()]);
  expect(await download.failure()).toBeNull();
  expect(download.suggestedFilename()).toMatch(/^gocua-visits-CUANAM-\d{4}-\d{2}-\d{2}-v\d+\.csv$/);
  const rows = parseCsv(readFileSync((await download.path())!, 'utf8'));
  expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
  const records = csvRecords(rows);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    head_of_household: '', // redacted unless asked for with a reason
    outcome: 'helped',
    group: 'TDP 5',
    house_number: '',
    street: 'Hàng Gai',
    channel: 'door',
  });

  // A date range reaches the server: from tomorrow on, there is nothing yet.
  const tomorrow = new Date(Date.now() + 7 * 3600_000 + 24 * 3600_000).toISOString().slice(0, 10); // in Hanoi
  await sup.getByLabel('Từ ngày').fill(tomorrow);
  const [later, request] = await Promise.all([
    sup.waitForEvent('download'),
    sup.waitForRequest((r) => r.url().includes('/api/v1/exports/')),
    sup.getByRole('button', { name: 'Tải tệp' }).click(),
  ]);
  expect(request.url()).toBe(`${server.url}/api/v1/exports/visits.csv?from=${tomorrow}`);
  expect(parseCsv(readFileSync((await later.path())!, 'utf8'))).toEqual([[...EXPORT_COLUMNS]]);
  await office.close();
});
