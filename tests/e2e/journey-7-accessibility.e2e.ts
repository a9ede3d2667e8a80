// Journey 7 — accessibility and installability (issue 4).
//  - axe-core finds no serious or critical violation on the main screens, the
//    supervisor's dashboard included (checked as a supervisor).
//  - Chrome's install criteria pass (CDP Page.getInstallabilityErrors), and the
//    service worker has a fetch handler that serves the app.
//  - At 360×640 nothing scrolls sideways and every button is ≥ 48 px high, in
//    Vietnamese and in English.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, traceTest } from './support/browser';
import { startServer, type E2EServer, type E2EUser } from './support/server';
import { addPerson, go, openVisitForm, registerHousehold, saveVisit, signIn, stepChip, waitForPending, waitForServiceWorkerControl } from './support/app';
import { axeViolations, sidewaysOverflow, tapTargets } from './support/checks';

let browser: Browser;
let server: E2EServer;
let lan: E2EUser;
let hoa: E2EUser;
let householdId: string;
let personUrl: string;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer({ distDir: inject('distA') })]);
  lan = await server.createUser({ groups: ['TDP 5'], displayName: 'Nguyễn Thị Lan' });
  hoa = await server.createUser({ role: 'supervisor', displayName: 'Phạm Thị Hoa' });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const YEAR = new Date().getFullYear();

/** Something on every screen: a priority household, two people, a visit with a blocked step. */
async function seed(page: Page) {
  householdId = await registerHousehold(page, {
    group: 'TDP 5',
    houseNumber: '21',
    lane: '46',
    street: 'Quán Sứ',
    headName: 'Hoàng Văn Toàn',
    phone: '0987 654 321',
    poverty: 'Hộ nghèo',
    notes: 'Bà Liên nghe kém, nên nói to và chậm.',
  });
  await addPerson(page, { fullName: 'Hoàng Văn Toàn', birthYear: YEAR - 58, smartphone: true });
  await addPerson(page, { fullName: 'Bùi Thị Liên', birthYear: YEAR - 81, smartphone: false });
  personUrl = (await page.getByRole('link', { name: /Bùi Thị Liên/ }).getAttribute('href'))!;
  await openVisitForm(page);
  await stepChip(page, 'Hoàng Văn Toàn', 'VNeID', 'Đã cài đặt').click();
  const level2 = stepChip(page, 'Hoàng Văn Toàn', 'VNeID', 'Định danh điện tử mức 2');
  await level2.click();
  await level2.click();
  await page.getByLabel('Vướng ở bước “Định danh điện tử mức 2”: lý do').selectOption({ label: 'Điện thoại không đọc được chip căn cước (NFC)' });
  await saveVisit(page);
  await waitForPending(page, 0);
}

/** The screens to check, each reached the way a volunteer reaches it. */
function screens(): Array<{ name: string; open: (page: Page) => Promise<void> }> {
  const heading = (page: Page, name: RegExp) => page.locator('main h1').filter({ hasText: name }).waitFor();
  return [
    { name: 'home', open: async (p) => (await go(p, '/'), await heading(p, /Hôm nay|Today/)) },
    { name: 'households', open: async (p) => (await go(p, '/households/TDP%205'), await p.locator('main ul.rows').waitFor()) },
    { name: 'household', open: async (p) => (await go(p, `/household/${householdId}`), await p.locator('main ol.history').waitFor()) },
    { name: 'household-form', open: async (p) => (await go(p, `/household/${householdId}/edit`), await p.locator('main form input').first().waitFor()) },
    { name: 'person', open: async (p) => (await go(p, personUrl.slice(1)), await p.locator('main .checklist').first().waitFor()) },
    {
      name: 'visit-form',
      open: async (p) => {
        await go(p, `/household/${householdId}/visit`);
        await p.locator('main .checklist').first().waitFor();
        // With a blocked step open, so its reason picker is checked too.
        const chip = p.locator('main .visit-person').first().locator('.chip').nth(2);
        while ((await chip.getAttribute('aria-pressed')) !== 'mixed') await chip.click();
        await p.locator('main .blocker select').first().waitFor();
      },
    },
    { name: 'followups', open: async (p) => (await go(p, '/followups'), await p.locator('main .followup').first().waitFor()) },
    { name: 'coverage', open: async (p) => (await go(p, '/coverage/TDP%205'), await p.locator('main .lane').first().waitFor()) },
    { name: 'literacy-point', open: async (p) => (await go(p, '/point'), await p.locator('main form').first().waitFor()) },
    { name: 'search', open: async (p) => (await go(p, '/search?q=hoang'), await p.locator('main a[href^="#/household/"]').first().waitFor()) },
    { name: 'sync', open: async (p) => (await go(p, '/sync'), await p.getByTestId('pending-count').waitFor()) },
    { name: 'dashboard (volunteer)', open: async (p) => (await go(p, '/dashboard'), await heading(p, /Chỉ dành cho cán bộ giám sát|For supervisors only/)) },
  ];
}

/** The supervisor's screens, checked in a supervisor's own browser, with the first test's records in the figures. */
function supervisorScreens(): Array<{ name: string; open: (page: Page) => Promise<void> }> {
  return [
    { name: 'dashboard', open: async (p) => (await go(p, '/dashboard'), await p.locator('main .coverage-table').waitFor()) },
    { name: 'exports', open: async (p) => (await go(p, '/console/exports'), await p.locator('main .export-form button[type=submit]').waitFor(), await p.locator('main .audit-table, main .export-audit .empty').first().waitFor()) },
  ];
}

async function setLanguage(page: Page, lang: 'vi' | 'en') {
  await page.getByRole('group', { name: /Ngôn ngữ|Language/ }).getByRole('button', { name: lang === 'vi' ? 'Tiếng Việt' : 'English' }).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

it('journey 7: installable, with a service worker fetch handler', async (ctx) => {
  const trace = traceTest(ctx);
  const context = await trace.persistentContext({ viewport: { width: 360, height: 640 } });
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, server.url, lan);
  await waitForServiceWorkerControl(page);
  await seed(page);

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
  expect(installabilityErrors).toEqual([]);
  const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
  expect(manifest.errors).toEqual([]);
  expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);

  // The worker answers navigations itself (that is what makes offline work)…
  const response = await page.reload();
  expect(response?.fromServiceWorker()).toBe(true);
  // …because its code registers a fetch listener (workbox's router, imported by sw.js).
  const sw = await (await fetch(`${server.url}/sw.js`)).text();
  const workboxFile = /define\(\["\.\/(workbox-[\w-]+)"\]/.exec(sw)?.[1];
  expect(workboxFile).toBeTruthy();
  expect(sw).toMatch(/precacheAndRoute\(/);
  const workbox = await (await fetch(`${server.url}/${workboxFile}.js`)).text();
  expect(workbox).toMatch(/addEventListener\("fetch"/);
  await context.close();
});

it('journey 7: no serious or critical axe violations on the main screens', async (ctx) => {
  const trace = traceTest(ctx);
  // axe is injected as a script tag, which the server's CSP forbids: bypass it for this context only.
  const context = await trace.context(browser, { bypassCSP: true });
  const page = await context.newPage();
  await page.goto(server.url);
  expect(await axeViolations(page), 'login').toEqual([]);
  await signIn(page, server.url, lan);
  await waitForPending(page, 0); // pulls what the first test recorded
  const found: Record<string, unknown> = {};
  for (const lang of ['vi', 'en'] as const) {
    await setLanguage(page, lang);
    for (const s of screens()) {
      await s.open(page);
      const v = await axeViolations(page);
      if (v.length) found[`${s.name} (${lang})`] = v;
    }
  }
  const office = await trace.context(browser, { bypassCSP: true }, 'supervisor');
  const sup = await office.newPage();
  await signIn(sup, server.url, hoa);
  for (const lang of ['vi', 'en'] as const) {
    await setLanguage(sup, lang);
    for (const s of supervisorScreens()) {
      await s.open(sup);
      const v = await axeViolations(sup);
      if (v.length) found[`${s.name} (${lang})`] = v;
    }
  }
  expect(found).toEqual({});
  await office.close();
  await context.close();
});

it('journey 7: at 360×640 nothing scrolls sideways and every button is at least 48 px high', async (ctx) => {
  const trace = traceTest(ctx);
  const context = await trace.context(browser, { viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  await page.goto(server.url);
  const problems: Record<string, unknown> = {};
  const check = async (p: Page, name: string) => {
    const o = await sidewaysOverflow(p);
    if (o.scrollWidth > 360) problems[`${name}: scrolls sideways`] = o;
    const { checked, small } = await tapTargets(p);
    if (checked === 0) problems[`${name}: found no buttons to check`] = checked;
    if (small.length) problems[`${name}: buttons under 48 px`] = small;
  };
  await page.getByLabel('Tên đăng nhập').waitFor();
  await check(page, 'login');
  await signIn(page, server.url, lan);
  await waitForPending(page, 0);
  for (const lang of ['vi', 'en'] as const) {
    await setLanguage(page, lang);
    for (const s of screens()) {
      await s.open(page);
      await check(page, `${s.name} (${lang})`);
    }
  }
  const office = await trace.context(browser, { viewport: { width: 360, height: 640 } }, 'supervisor');
  const sup = await office.newPage();
  await signIn(sup, server.url, hoa);
  for (const lang of ['vi', 'en'] as const) {
    await setLanguage(sup, lang);
    for (const s of supervisorScreens()) {
      await s.open(sup);
      await check(sup, `${s.name} (${lang})`);
    }
  }
  expect(problems).toEqual({});
  await office.close();
  await context.close();
});
