// Journey 1 — an offline day in the alley (issue 4), in Vietnamese.
// Sign in online; once the service worker controls the page, the network goes
// away for the rest of the day: the app reloads, a household with two people
// (one of them 72, so priority) and a visit are recorded, the page is closed
// and opened again. When signal returns everything reaches the server once.
import { expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import {
  addPerson,
  go,
  historyItems,
  openVisitForm,
  registerHousehold,
  saveVisit,
  signIn,
  stepChip,
  waitForPending,
  waitForServiceWorkerControl,
  WAIT,
} from './support/app';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

const YEAR = new Date().getFullYear();

it('journey 1: a whole day offline, then everything reaches the server exactly once', async (ctx) => {
  const trace = traceTest(ctx);
  const lan = await server.createUser({ groups: ['TDP 5'], displayName: 'Nguyễn Thị Lan' });
  const context = await trace.context(browser);
  let page = await context.newPage();

  await signIn(page, server.url, lan);
  await waitForServiceWorkerControl(page);
  await context.setOffline(true);

  // The service worker opens the app with no network.
  await page.reload();
  await page.getByRole('heading', { name: 'Hôm nay', exact: true }).waitFor();
  // (navigator.onLine is not asserted: after a reload served by the service
  // worker, Chromium's offline emulation still reports true. The network is off.)
  expect(await page.evaluate(() => fetch('/api/v1/health').then(() => 'reached', () => 'failed'))).toBe('failed');

  const householdId = await registerHousehold(page, {
    group: 'TDP 5',
    houseNumber: '14',
    lane: '32',
    street: 'Hàng Bông',
    headName: 'Trần Văn Hùng',
    phone: '0912 345 678',
    poverty: 'Không thuộc diện này',
  });
  await addPerson(page, { fullName: 'Trần Văn Hùng', birthYear: YEAR - 45, smartphone: true });
  await addPerson(page, { fullName: 'Lê Thị Mai', birthYear: YEAR - 72, smartphone: true });
  // 72 years old: the household is a priority household.
  await page.locator('main').getByRole('list', { name: 'Ưu tiên' }).getByText('Người cao tuổi').waitFor();

  await openVisitForm(page);
  await stepChip(page, 'Lê Thị Mai', 'VNeID', 'Định danh điện tử mức 2').click();
  const ihanoi = stepChip(page, 'Lê Thị Mai', 'iHanoi', 'Đã đăng ký tài khoản');
  await ihanoi.click();
  await ihanoi.click(); // not started → done → blocked
  await page.getByLabel('Vướng ở bước “Đã đăng ký tài khoản”: lý do').selectOption({ label: 'SIM không chính chủ, không nhận được OTP' });
  await saveVisit(page);
  expect(await historyItems(page).count()).toBe(1);
  // household, two people, the visit, and the visit's step changes on the person
  await waitForPending(page, 5, WAIT.short);

  // Close the app and open it again, still offline.
  await page.close();
  page = await context.newPage();
  await page.goto(`${server.url}/#/household/${householdId}`);
  await page.getByRole('heading', { name: /Số 14/ }).waitFor();
  await page.getByRole('link', { name: /Trần Văn Hùng/ }).waitFor();
  await page.getByRole('link', { name: /Lê Thị Mai/ }).waitFor();
  await page.locator('main').getByRole('list', { name: 'Ưu tiên' }).getByText('Người cao tuổi').waitFor();
  expect(await historyItems(page).count()).toBe(1);
  await historyItems(page).getByText(/iHanoi Đã đăng ký tài khoản \(Vướng — SIM không chính chủ/).waitFor();

  await go(page, '/followups');
  await page.getByRole('heading', { name: 'Cần theo dõi' }).waitFor();
  await page.getByText('iHanoi · Đã đăng ký tài khoản: SIM không chính chủ, không nhận được OTP').waitFor();
  await page.getByRole('link', { name: 'Lê Thị Mai' }).waitFor();
  expect(await server.countThroughApi()).toEqual({ household: 0, person: 0, visit: 0 });

  // Signal returns: the engine syncs by itself.
  await waitForPending(page, 5, WAIT.short);
  await context.setOffline(false);
  await waitForPending(page, 0);
  expect(await server.countThroughApi()).toEqual({ household: 1, person: 2, visit: 1 });
  const [visit] = await server.recordsThroughApi('visit');
  expect(visit).toMatchObject({ householdId, outcome: 'helped' });
  await context.close();
});
