// Journey 5 — sign-out safety on a shared phone (issue 4). A volunteer with
// unsynced records signs out: the app warns and keeps them. A second volunteer
// signing in on the same browser sees none of them, and they are still in the
// first volunteer's own database ("gocua-<id>"); when she signs in again they
// are there and reach the server.
import { expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import { addPerson, go, idbCounts, registerHousehold, signIn, waitForPending, waitForServiceWorkerControl, WAIT } from './support/app';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

it('journey 5: sign-out with unsynced records warns and keeps them; the next volunteer sees none of them', async (ctx) => {
  const trace = traceTest(ctx);
  const lan = await server.createUser({ groups: ['TDP 5'], displayName: 'Nguyễn Thị Lan' });
  const hung = await server.createUser({ groups: ['TDP 5'], displayName: 'Phạm Văn Hùng' });
  const context = await trace.context(browser);
  const page = await context.newPage();

  await signIn(page, server.url, lan);
  await waitForServiceWorkerControl(page);
  await context.setOffline(true);
  await registerHousehold(page, { group: 'TDP 5', houseNumber: '3', lane: '8', street: 'Hàng Gai', headName: 'Đặng Thị Thu' });
  await addPerson(page, { fullName: 'Đặng Thị Thu', birthYear: 1950 });
  await waitForPending(page, 2, WAIT.short);

  // Sign out: a warning with the count; "stay" keeps her signed in.
  await go(page, '/sync');
  const signOut = page.getByRole('button', { name: 'Đăng xuất', exact: true });
  await signOut.click();
  const warning = page.getByRole('alertdialog');
  await warning.getByText('Còn 2 bản ghi chưa gửi lên máy chủ.', { exact: false }).waitFor();
  await warning.getByRole('button', { name: 'Ở lại' }).click();
  await warning.waitFor({ state: 'detached' });
  expect(await page.getByTestId('pending-count').textContent()).toBe('2');
  await signOut.click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Vẫn đăng xuất' }).click();
  await page.getByLabel('Tên đăng nhập').waitFor();

  // Her records stay in her own database on the phone.
  expect(await idbCounts(page, `gocua-${lan.id}`)).toMatchObject({ households: 1, people: 1, outbox: 2 });

  // A second volunteer signs in on the same browser (sign-in needs the network).
  await context.setOffline(false);
  await signIn(page, server.url, hung);
  await waitForPending(page, 0);
  await go(page, '/');
  await page.locator('main').getByText('Hôm nay chưa có lượt thăm nào.').waitFor();
  await go(page, '/search?q=dang thi thu');
  await page.getByText('Không tìm thấy hộ nào.').waitFor();
  await go(page, '/households');
  await page.getByRole('heading', { name: 'Hộ gia đình theo tổ dân phố' }).waitFor();
  expect(await page.getByText('Đặng Thị Thu').count()).toBe(0);
  expect(await idbCounts(page, `gocua-${hung.id}`)).toMatchObject({ households: 0, people: 0, outbox: 0 });
  expect(await idbCounts(page, `gocua-${lan.id}`)).toMatchObject({ households: 1, people: 1, outbox: 2 });
  // Nothing of hers was sent while she was signed out.
  expect(await server.countThroughApi()).toEqual({ household: 0, person: 0, visit: 0 });

  // He signs out (nothing pending: no warning); she signs in again and her records sync.
  await go(page, '/sync');
  await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
  await signIn(page, server.url, lan);
  await waitForPending(page, 0);
  expect(await server.countThroughApi()).toEqual({ household: 1, person: 1, visit: 0 });
  await go(page, '/households');
  await page.getByText('Đặng Thị Thu').first().waitFor();
  await context.close();
});
