// The first screen in a real Chromium: notices never move the page (layout
// shift), and the first paint does not wait for zod, Dexie or the sync engine
// (their chunks are fetched after it).
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import { signIn, syncPill, waitForServiceWorkerControl, WAIT } from './support/app';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

/** Sums every layout shift of the page's life, whatever input came before it. */
async function recordShifts(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __shifts: Array<{ value: number; sources: string[] }> };
    w.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as Array<{ value: number; sources?: Array<{ node?: Node | null }> }>)
        w.__shifts.push({ value: e.value, sources: (e.sources ?? []).map((s) => (s.node as Element | null)?.className ?? '?') });
    }).observe({ type: 'layout-shift', buffered: true });
  });
}
const shifts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __shifts: Array<{ value: number; sources: string[] }> }).__shifts);
const total = (s: Array<{ value: number }>) => s.reduce((n, e) => n + e.value, 0);

it('the "ready for offline use" notice overlays the sign-in form: no layout shift', async (ctx) => {
  const trace = traceTest(ctx);
  const context = await trace.context(browser);
  const page = await context.newPage();
  await recordShifts(page);
  await page.goto(server.url);
  const form = page.getByRole('button', { name: 'Đăng nhập', exact: true });
  await form.waitFor();
  const before = await form.boundingBox();
  await page.getByRole('status').filter({ hasText: 'Ứng dụng đã sẵn sàng dùng khi không có mạng.' }).waitFor({ timeout: WAIT.sync });
  expect(await form.boundingBox()).toEqual(before);
  expect(total(await shifts(page))).toBeLessThanOrEqual(0.02);
  // workbox-window and the worker's precache wait for the first paint: on a slow
  // network they would otherwise share it with the first screen's own JS.
  const timing = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    workbox: performance.getEntriesByType('resource').find((r) => /\/assets\/workbox-window[^/]*\.js$/.test(r.name))?.startTime,
  }));
  expect(timing.fcp).toBeGreaterThan(0);
  expect(timing.workbox).toBeGreaterThanOrEqual(timing.fcp!);
  await context.close();
});

it('the install offer shown at load is not pushed down by "ready for offline use" when it comes later', async (ctx) => {
  const trace = traceTest(ctx);
  const context = await trace.context(browser);
  const page = await context.newPage();
  // Headless Chromium never offers installation by itself; Chrome on a phone
  // does, at load (and Lighthouse's Chromium did: the install offer was there
  // when the offline notice came and pushed it 148 px down, CLS 0.074).
  await page.addInitScript(() => {
    window.addEventListener('load', () => {
      const offer = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
        prompt: () => Promise.resolve(),
        userChoice: Promise.resolve({ outcome: 'dismissed' as const }),
      });
      window.dispatchEvent(offer);
    });
  });
  await recordShifts(page);
  await page.goto(server.url);
  const offer = page.getByRole('region', { name: 'Cài ứng dụng' });
  await offer.waitFor();
  const before = await offer.boundingBox();
  const form = await page.getByRole('button', { name: 'Đăng nhập', exact: true }).boundingBox();
  await page.getByRole('status').filter({ hasText: 'Ứng dụng đã sẵn sàng dùng khi không có mạng.' }).waitFor({ timeout: WAIT.sync });
  expect(await offer.boundingBox()).toEqual(before);
  expect(await page.getByRole('button', { name: 'Đăng nhập', exact: true }).boundingBox()).toEqual(form);
  expect(total(await shifts(page))).toBeLessThanOrEqual(0.02);
  await context.close();
});

it('Home: the first frame, the data arriving and the notices move nothing; zod and the engine come after first paint', async (ctx) => {
  const trace = traceTest(ctx);
  const user = await server.createUser({ groups: ['TDP 1'] });
  const context = await trace.context(browser);
  const page = await context.newPage();
  await signIn(page, server.url, user);
  await waitForServiceWorkerControl(page);

  await recordShifts(page);
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.reload();
  await syncPill(page).waitFor();
  await page.getByRole('heading', { name: 'Hôm nay', exact: true }).waitFor();
  // The numbers are there (not "…"): the data layer has loaded and answered.
  await expect.poll(() => page.locator('.stat-number').first().textContent(), { timeout: WAIT.short }).not.toBe('…');
  await page.waitForTimeout(500);
  expect(total(await shifts(page))).toBeLessThanOrEqual(0.02);

  // The entry script loads none of them statically: they are separate requests.
  expect(requested.some((p) => /\/assets\/schemas-/.test(p))).toBe(true);
  expect(requested.some((p) => /\/assets\/engine-/.test(p))).toBe(true);
  await context.close();
});
