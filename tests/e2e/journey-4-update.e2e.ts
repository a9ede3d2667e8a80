// Journey 4 — an update never eats a half-filled form (issue 4). Version A is
// served; a volunteer is in the middle of a visit form. Version B is deployed
// (the server restarts on the same port and database with another build). The
// app notices the update without reloading, shows the banner and leaves the
// form alone; accepting it reloads into B with the draft still there.
import { expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import { addPerson, openVisitForm, registerHousehold, signIn, stepChip, waitForPending, waitForServiceWorkerControl, WAIT } from './support/app';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

const NOTES = 'Bà Mai muốn học cách nộp hồ sơ cấp đổi căn cước trên VNeID.';
const buildOf = (page: Page) => page.locator('meta[name="gocua-build"]').getAttribute('content');

it('journey 4: deploying a new version shows the banner, keeps the form, and the draft survives the update', async (ctx) => {
  const trace = traceTest(ctx);
  const mai = await server.createUser({ groups: ['TDP 3'], displayName: 'Trịnh Thu Trang' });
  const context = await trace.context(browser);
  const page = await context.newPage();
  await signIn(page, server.url, mai);
  await waitForServiceWorkerControl(page);
  expect(await buildOf(page)).toBe('A');

  const householdId = await registerHousehold(page, { group: 'TDP 3', houseNumber: '9', lane: '4', street: 'Lý Thường Kiệt', headName: 'Đinh Thị Mai' });
  await addPerson(page, { fullName: 'Đinh Thị Mai', birthYear: 1949 });
  await waitForPending(page, 0);

  // Half-way through a visit: a checklist tap and some notes.
  await openVisitForm(page);
  const installed = stepChip(page, 'Đinh Thị Mai', 'VNeID', 'Đã cài đặt');
  await installed.click();
  const notes = page.getByLabel('Ghi chú');
  await notes.fill(NOTES);
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  // Deploy B and let the app look for it, the way it does when it returns to the foreground.
  await server.serve(inject('distB'));
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
  const banner = page.getByRole('alert').filter({ hasText: 'Đã có phiên bản mới' });
  await banner.waitFor({ timeout: WAIT.sync });

  // Nothing reloaded, nothing touched.
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  expect(await notes.inputValue()).toBe(NOTES);
  expect(await installed.getAttribute('aria-pressed')).toBe('true');
  expect(await buildOf(page)).toBe('A');

  // Accept: the page reloads into version B, and the draft comes back.
  await Promise.all([page.waitForEvent('load', { timeout: WAIT.sync }), banner.getByRole('button', { name: 'Tải lại để cập nhật' }).click()]);
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBeUndefined();
  expect(await buildOf(page)).toBe('B');
  await page.getByText('Đã khôi phục bản nháp chưa lưu của lượt thăm này.').waitFor();
  expect(page.url()).toMatch(new RegExp(`#/household/${householdId}/visit$`));
  expect(await page.getByLabel('Ghi chú').inputValue()).toBe(NOTES);
  expect(await stepChip(page, 'Đinh Thị Mai', 'VNeID', 'Đã cài đặt').getAttribute('aria-pressed')).toBe('true');

  // All data intact, on the phone and on the server; the restored draft still saves.
  await page.getByRole('button', { name: 'Lưu lượt thăm' }).click();
  await page.getByRole('list', { name: 'Lịch sử thăm hộ' }).getByText(NOTES).waitFor();
  await page.getByRole('link', { name: /Đinh Thị Mai/ }).waitFor();
  await waitForPending(page, 0);
  expect(await server.countThroughApi()).toEqual({ household: 1, person: 1, visit: 1 });
  await context.close();
});
