// Journey 8 — screenshots of the main screens at 360×740, in Vietnamese and in
// English, with realistic data on screen (issue 4).
//
// Every e2e run takes them (into test-results/screenshots/, so the journey is
// exercised), and `npm run screenshots` (SCREENSHOTS=1) writes them to
// docs/screenshots/, which the README shows (home-vi.png, household-en.png).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RESULTS_DIR, traceTest } from './support/browser';
import { ROOT } from './support/build';
import type { E2EServer } from './support/server';
import { addPerson, go, openVisitForm, registerHousehold, saveVisit, signIn, stepChip, waitForPending, waitForServiceWorkerControl } from './support/app';
import { withBrowserAndServer } from './support/harness';

const OUT = process.env.SCREENSHOTS === '1' ? path.join(ROOT, 'docs/screenshots') : path.join(RESULTS_DIR, 'screenshots');
const YEAR = new Date().getFullYear();

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

/** A morning's work in TDP 5: three doors, five people, visits with progress and a blocker. */
async function seed(page: Page): Promise<{ hung: string }> {
  const hung = await registerHousehold(page, {
    group: 'TDP 5',
    houseNumber: '14',
    lane: '32',
    street: 'Hàng Bông',
    headName: 'Trần Văn Hùng',
    phone: '0912 345 678',
    notes: 'Bà Mai ở nhà buổi sáng; con trai đi làm đến 18 giờ.',
  });
  await addPerson(page, { fullName: 'Trần Văn Hùng', birthYear: YEAR - 47, smartphone: true });
  await addPerson(page, { fullName: 'Lê Thị Mai', birthYear: YEAR - 72, smartphone: true });
  await openVisitForm(page);
  await stepChip(page, 'Lê Thị Mai', 'VNeID', 'Đã cài đặt').click();
  await stepChip(page, 'Lê Thị Mai', 'VNeID', 'Đã đăng ký tài khoản').click();
  await stepChip(page, 'Lê Thị Mai', 'VNeID', 'Định danh điện tử mức 2').click();
  await stepChip(page, 'Lê Thị Mai', 'iHanoi', 'Đã cài đặt').click();
  const ihanoi = stepChip(page, 'Lê Thị Mai', 'iHanoi', 'Đã đăng ký tài khoản');
  await ihanoi.click();
  await ihanoi.click();
  await page.getByLabel('Vướng ở bước “Đã đăng ký tài khoản”: lý do').selectOption({ label: 'SIM không chính chủ, không nhận được OTP' });
  await stepChip(page, 'Trần Văn Hùng', 'VNeID', 'Đã đăng nhập').click();
  await saveVisit(page);

  await registerHousehold(page, { group: 'TDP 5', houseNumber: '3', lane: '8', street: 'Hàng Gai', headName: 'Đặng Thị Thu', poverty: 'Hộ cận nghèo' });
  await addPerson(page, { fullName: 'Đặng Thị Thu', birthYear: YEAR - 66, smartphone: false });
  await openVisitForm(page);
  await page.locator('main').getByRole('button', { name: 'Cần hỗ trợ lại', exact: true }).click();
  await page.getByLabel('Ghi chú').fill('Cần mượn điện thoại của con gái để cài VNeID.');
  await saveVisit(page);

  await registerHousehold(page, { group: 'TDP 5', houseNumber: '21', street: 'Quán Sứ', headName: 'Hoàng Văn Toàn', phone: '0987 654 321' });
  await addPerson(page, { fullName: 'Hoàng Văn Toàn', birthYear: YEAR - 38, smartphone: true });
  await addPerson(page, { fullName: 'Bùi Thị Liên', birthYear: YEAR - 35, smartphone: true });
  await waitForPending(page, 0);
  return { hung };
}

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

it('journey 8: screenshots of the main screens at 360×740 in Vietnamese and English', async (ctx) => {
  const trace = traceTest(ctx);
  const lan = await server.createUser({ groups: ['TDP 5'], displayName: 'Nguyễn Thị Lan' });
  const context = await trace.context(browser, { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await signIn(page, server.url, lan);
  await waitForServiceWorkerControl(page);
  const { hung } = await seed(page);
  const maiHref = (await (await go(page, `/household/${hung}`), page.getByRole('link', { name: /Lê Thị Mai/ })).getAttribute('href'))!;
  await page.reload(); // no leftover "saved" message or install banner on the pictures
  await page.locator('a.sync-pill').waitFor();

  const shots: Array<{ name: string; open: () => Promise<void> }> = [
    { name: 'home', open: async () => (await go(page, '/'), await page.locator('main ul.rows li').first().waitFor()) },
    { name: 'households', open: async () => (await go(page, '/households/TDP%205'), await page.locator('main ul.rows li').nth(2).waitFor()) },
    { name: 'household', open: async () => (await go(page, `/household/${hung}`), await page.locator('main ol.history li').first().waitFor()) },
    { name: 'person', open: async () => (await go(page, maiHref.slice(1)), await page.locator('main .checklist').nth(3).waitFor()) },
    { name: 'visit', open: async () => (await go(page, `/household/${hung}/visit`), await page.locator('main .visit-person').nth(1).waitFor()) },
    { name: 'followups', open: async () => (await go(page, '/followups'), await page.locator('main .followup').nth(1).waitFor()) },
    { name: 'coverage', open: async () => (await go(page, '/coverage/TDP%205'), await page.locator('main .lane').first().waitFor()) },
    { name: 'sync', open: async () => (await go(page, '/sync'), await page.getByTestId('pending-count').waitFor()) },
  ];
  mkdirSync(OUT, { recursive: true });
  const written: string[] = [];
  for (const lang of ['vi', 'en'] as const) {
    await page.getByRole('button', { name: lang === 'vi' ? /Tiếng Việt/ : /English/ }).click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    for (const shot of shots) {
      await shot.open();
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const file = path.join(OUT, `${shot.name}-${lang}.png`);
      await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
      written.push(file);
    }
  }
  await context.close();

  // The ward dashboard, as the ward's supervisor sees the morning's work.
  const hoa = await server.createUser({ role: 'supervisor', displayName: 'Phạm Thị Hoa' });
  const office = await trace.context(browser, { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 }, 'supervisor');
  const sup = await office.newPage();
  await signIn(sup, server.url, hoa);
  await waitForServiceWorkerControl(sup);
  await sup.reload(); // no "ready to work offline" banner on the pictures
  await sup.locator('a.sync-pill').waitFor();
  for (const lang of ['vi', 'en'] as const) {
    await sup.getByRole('button', { name: lang === 'vi' ? /Tiếng Việt/ : /English/ }).click();
    await sup.waitForFunction((l) => document.documentElement.lang === l, lang);
    await go(sup, '/dashboard');
    await sup.locator('main .coverage-table').waitFor();
    await sup.locator('main h1').filter({ hasText: lang === 'vi' ? 'Bảng tổng hợp' : 'Ward dashboard' }).waitFor();
    await sup.evaluate(() => document.fonts.ready.then(() => undefined));
    const file = path.join(OUT, `dashboard-${lang}.png`);
    await sup.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    written.push(file);
  }
  await office.close();

  // The console at a desk, in Vietnamese: side navigation, filters, targets and charts.
  const desk = await trace.context(browser, { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 }, 'console');
  const deskPage = await desk.newPage();
  await signIn(deskPage, server.url, hoa);
  await waitForServiceWorkerControl(deskPage);
  await deskPage.reload();
  await deskPage.getByTestId('activity-visits').waitFor();
  await deskPage.evaluate(() => document.fonts.ready.then(() => undefined));
  const consoleShot = path.join(OUT, 'console-vi.png');
  await deskPage.screenshot({ path: consoleShot, animations: 'disabled', caret: 'hide' });
  expect(pngSize(consoleShot)).toEqual({ width: 1280, height: 800 });
  await desk.close();

  for (const file of written) expect(pngSize(file), path.basename(file)).toEqual({ width: 360, height: 740 });
  // The two the README shows.
  expect(written.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['home-vi.png', 'household-en.png', 'dashboard-vi.png', 'dashboard-en.png']));
  console.info(`[e2e] ${written.length} screenshots in ${path.relative(ROOT, OUT)}/`);
});
