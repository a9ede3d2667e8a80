// Journey 3 — a flaky network (issue 4). The app is served through a test
// proxy (support/proxy.ts), so the proxy sits on every request the page makes.
//  - Cut: the proxy lets pushes reach the server and commit, then drops the
//    connection before the answer. The device must retry, and the server must
//    still hold every record exactly once.
//  - Captive portal: every API request gets "200 OK" and an HTML page. Nothing
//    may leave the outbox; once the real network is back everything arrives.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, traceTest } from './support/browser';
import { startServer, type E2EServer } from './support/server';
import { startProxy, type TestProxy } from './support/proxy';
import { addPerson, go, openVisitForm, registerHousehold, saveVisit, signIn, stepChip, waitForPending, WAIT } from './support/app';

let browser: Browser;
let server: E2EServer;
let proxy: TestProxy;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer({ distDir: inject('distA') })]);
  proxy = await startProxy(() => server.url);
});
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.close();
});

const YEAR = new Date().getFullYear();

async function serverTableCount(table: 'rejected_mutations' | 'conflicts'): Promise<number> {
  const row = await server.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

it('journey 3: pushes cut after commit are retried and stored once; a captive portal clears nothing', async (ctx) => {
  const trace = traceTest(ctx);
  const minh = await server.createUser({ groups: ['TDP 2'], displayName: 'Đỗ Quang Minh' });
  const context = await trace.context(browser);
  const page = await context.newPage();
  await signIn(page, proxy.url, minh);

  // --- Cut after commit: the next two pushes reach the server, the answers never reach the phone.
  proxy.mode = 'cut';
  proxy.cuts = 2;
  const householdId = await registerHousehold(page, {
    group: 'TDP 2',
    houseNumber: '7',
    lane: '15',
    street: 'Phùng Hưng',
    headName: 'Vũ Thị Hạnh',
    poverty: 'Hộ cận nghèo',
  });
  await addPerson(page, { fullName: 'Vũ Thị Hạnh', birthYear: YEAR - 66 });
  await addPerson(page, { fullName: 'Ngô Văn Tâm', birthYear: YEAR - 70 });
  await openVisitForm(page);
  await stepChip(page, 'Ngô Văn Tâm', 'VNeID', 'Đã cài đặt').click();
  await saveVisit(page);

  await waitForPending(page, 0);
  const cut = proxy.events.filter((e) => e.outcome === 'cut');
  expect(cut).toHaveLength(2);
  // The server had applied what the phone never heard about…
  expect(cut.some((e) => JSON.stringify(e.body).includes('"applied"'))).toBe(true);
  // …and the phone sent it again: the server recognised every repeat.
  const after = proxy.events.slice(proxy.events.indexOf(cut[1]!) + 1).filter((e) => e.path === '/api/v1/sync/push' && e.outcome === 'forwarded');
  expect(after.some((e) => JSON.stringify(e.body).includes('"duplicate"'))).toBe(true);
  expect(await server.countThroughApi()).toEqual({ household: 1, person: 2, visit: 1 });
  expect(await serverTableCount('rejected_mutations')).toBe(0);
  expect(await serverTableCount('conflicts')).toBe(0);
  expect(await page.locator('.sync-badge').count()).toBe(0); // nothing needs attention

  // --- Captive portal: 200 HTML for every API request.
  proxy.mode = 'captive';
  const mark = proxy.events.length;
  await page.waitForURL(new RegExp(`#/household/${householdId}$`));
  await addPerson(page, { fullName: 'Ngô Gia Bảo', birthYear: YEAR - 12 });
  await waitForPending(page, 1, WAIT.short);
  await proxy.waitFor((e) => proxy.events.indexOf(e) >= mark && e.outcome === 'captive' && e.path === '/api/v1/sync/push');
  await go(page, '/sync');
  await page.getByText('Mạng đang chặn kết nối (có thể là Wi-Fi cần đăng nhập). Sẽ tự thử lại.').waitFor();
  // Tap "sync now" into the portal again: still nothing cleared.
  const syncNow = page.getByRole('button', { name: 'Đồng bộ ngay' });
  const mark2 = proxy.events.length;
  await syncNow.click();
  await proxy.waitFor((e) => proxy.events.indexOf(e) >= mark2 && e.outcome === 'captive' && e.path === '/api/v1/sync/push');
  await page.waitForFunction(() => document.querySelector('a.sync-pill')?.getAttribute('data-syncing') === 'false');
  expect(await page.getByTestId('pending-count').textContent()).toBe('1');
  expect(await server.countThroughApi()).toEqual({ household: 1, person: 2, visit: 1 });

  // The network is real again: the waiting record arrives, once.
  proxy.mode = 'pass';
  await syncNow.click();
  await waitForPending(page, 0);
  expect(await page.getByTestId('pending-count').textContent()).toBe('0');
  expect(await server.countThroughApi()).toEqual({ household: 1, person: 3, visit: 1 });
  expect(await serverTableCount('rejected_mutations')).toBe(0);
  await context.close();
});
