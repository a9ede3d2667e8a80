// Journey 2 — two volunteers of the same residential group (issue 4), in two
// browser contexts (two phones). Both have the same household; both go
// offline; one changes the phone, the other the notes, and each records a
// visit. Back online, both phones end with both edits and both visits. Then
// both change the same field: the later phone gets a conflict under "Cần xử
// lý", keeps its own value, and the other phone ends up with it.
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import {
  editHousehold,
  go,
  historyItems,
  openVisitForm,
  registerHousehold,
  saveVisit,
  signIn,
  syncNow,
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

const serverHousehold = async () => (await server.recordsThroughApi('household'))[0];
const facts = (page: Page) => page.locator('main dl.facts');

async function recordOutcomeVisit(page: Page, outcome: 'Đã hỗ trợ' | 'Cần hỗ trợ lại', notes: string) {
  await openVisitForm(page);
  await page.locator('main').getByRole('button', { name: outcome, exact: true }).click();
  await page.getByLabel('Ghi chú').fill(notes);
  await saveVisit(page);
}

it('journey 2: two volunteers offline on one household converge, and a same-field edit is resolved in "Cần xử lý"', async (ctx) => {
  const trace = traceTest(ctx);
  const lan = await server.createUser({ groups: ['TDP 1'], displayName: 'Nguyễn Thị Lan' });
  const hung = await server.createUser({ groups: ['TDP 1'], displayName: 'Phạm Văn Hùng' });
  const ctxA = await trace.context(browser, {}, 'lan');
  const ctxB = await trace.context(browser, {}, 'hung');
  const [a, b] = await Promise.all([ctxA.newPage(), ctxB.newPage()]);
  await Promise.all([signIn(a, server.url, lan), signIn(b, server.url, hung)]);
  await Promise.all([waitForServiceWorkerControl(a), waitForServiceWorkerControl(b)]);

  // The household exists on both phones: Lan registers it, Hùng's phone pulls it.
  const id = await registerHousehold(a, { group: 'TDP 1', houseNumber: '5', lane: '12', street: 'Hàng Chiếu', headName: 'Lý Văn Tâm', phone: '0912 000 111' });
  await expect.poll(() => serverHousehold(), { timeout: WAIT.sync }).toMatchObject({ id });
  await syncNow(b);
  await go(b, `/household/${id}`);
  await facts(b).getByText('Lý Văn Tâm').waitFor();

  // Both offline: different fields, one visit each.
  await Promise.all([ctxA.setOffline(true), ctxB.setOffline(true)]);
  await editHousehold(a, id, { phone: '0987 111 222' });
  await recordOutcomeVisit(a, 'Đã hỗ trợ', 'Đã cài VNeID cho ông Tâm.');
  await editHousehold(b, id, { notes: 'Ông Tâm hẹn chiều thứ Bảy.' });
  await recordOutcomeVisit(b, 'Cần hỗ trợ lại', 'Chưa có SIM chính chủ.');
  await waitForPending(a, 2, WAIT.short);
  await waitForPending(b, 2, WAIT.short);

  // Online: each pushes; Lan's phone pulls again after Hùng's push.
  await ctxA.setOffline(false);
  await waitForPending(a, 0);
  await ctxB.setOffline(false);
  await waitForPending(b, 0);
  await syncNow(a);
  for (const page of [a, b]) {
    await go(page, `/household/${id}`);
    await facts(page).getByText('0987111222').waitFor();
    await facts(page).getByText('Ông Tâm hẹn chiều thứ Bảy.').waitFor();
    await historyItems(page).getByText('Chưa có SIM chính chủ.').waitFor();
    await historyItems(page).getByText('Đã cài VNeID cho ông Tâm.').waitFor();
    expect(await historyItems(page).count()).toBe(2);
  }

  // Same field: Lan changes the notes and syncs; Hùng, offline, changes them too.
  await ctxB.setOffline(true);
  await editHousehold(a, id, { notes: 'Lan: ông Tâm đổi lịch sang sáng Chủ nhật.' });
  await expect.poll(() => serverHousehold(), { timeout: WAIT.sync }).toMatchObject({ notes: 'Lan: ông Tâm đổi lịch sang sáng Chủ nhật.' });
  await waitForPending(a, 0);
  await editHousehold(b, id, { notes: 'Hùng: mang theo SIM mới cho ông Tâm.' });
  await ctxB.setOffline(false);
  await waitForPending(b, 0);

  // The later phone has a conflict to resolve; it keeps its own value.
  await go(b, '/sync');
  const item = b.locator('main li.attention-item');
  await item.getByText('Sửa trùng với người khác').waitFor();
  // "Bản trên máy chủ" shows the phone's copy of the field, which becomes the
  // server's value once the pull after the push has stored it.
  await item.getByText('Lan: ông Tâm đổi lịch sang sáng Chủ nhật.').waitFor();
  await item.getByText('Hùng: mang theo SIM mới cho ông Tâm.').waitFor();
  await item.getByRole('button', { name: 'Giữ bản của tôi' }).click();
  await b.getByText('Không có mục nào cần xử lý.').waitFor();
  await waitForPending(b, 0);
  expect(await serverHousehold()).toMatchObject({ id, notes: 'Hùng: mang theo SIM mới cho ông Tâm.', phone: '0987111222' });

  // Lan's phone ends up with the kept value.
  await syncNow(a);
  await go(a, `/household/${id}`);
  await facts(a).getByText('Hùng: mang theo SIM mới cho ông Tâm.').waitFor();
  expect(await a.locator('a.sync-pill .sync-badge').count()).toBe(0);
  await Promise.all([ctxA.close(), ctxB.close()]);
});
