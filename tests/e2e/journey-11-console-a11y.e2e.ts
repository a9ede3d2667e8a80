// Journey 11 — the console fits a desk and a phone (issue 9, item 8). A
// supervisor signs in and lands in the console. Every console page — the
// dashboard (with and without filters), the case queue, the team, enrolment,
// the attention view, a door list and the exports; then the city view as the
// city — passes axe (no serious or critical violation), in
// Vietnamese and in English, at 1280 px (side navigation) and at 360 px (top
// bar with a menu, nothing scrolling sideways, buttons at least 48 px high).
// A door list prints without the console's bars.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, traceTest } from './support/browser';
import { startServer, type E2EServer, type E2EUser } from './support/server';
import { go, signIn } from './support/app';
import { axeViolations, sidewaysOverflow, tapTargets } from './support/checks';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createVisitRecord } from '../factories/records';
import { setTargets } from '../support/wardTables';

let browser: Browser;
let server: E2EServer;
let hoa: E2EUser;
let city: E2EUser;

/** Signs in over HTTP (no browser) and pushes, as a device would. */
async function pushAs(user: E2EUser, build: (box: Outbox) => ReturnType<Outbox['create']>[]) {
  const login = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: user.password }) });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const box = new Outbox();
  const res = await fetch(`${server.url}/api/v1/sync/push`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(box.body(build(box))) });
  expect(res.status).toBe(200);
  return (await res.json()) as { results: Array<{ status: string }> };
}

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer({ distDir: inject('distA') })]);
  await setTargets(server.db, 'CUANAM', 40, [
    { code: 'TDP 5', name: 'Tổ dân phố số 5', target: 12 },
    { code: 'TDP 6', target: null },
  ]);
  const lan = await server.createUser({ groups: ['TDP 5', 'TDP 6'], displayName: 'Nguyễn Thị Lan' });
  hoa = await server.createUser({ role: 'supervisor', displayName: 'Phạm Thị Hoa' });
  city = await server.createUser({ role: 'city', displayName: 'Sở KH&CN' });
  const today = new Date().toISOString();
  const homes = [
    createHouseholdRecord({ group: 'TDP 5', address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' }, headName: 'Trần Văn Minh' }),
    createHouseholdRecord({ group: 'TDP 5', address: { houseNumber: '14', lane: 'Ngõ 45', street: 'Hàng Bông' }, headName: 'Lê Thị Hồng' }),
    createHouseholdRecord({ group: 'TDP 5', address: { houseNumber: '3', lane: 'Ngõ 46', street: 'Quán Sứ' }, headName: 'Đỗ Văn Nam' }),
    createHouseholdRecord({ group: 'TDP 6', address: { houseNumber: '7', street: 'Thợ Nhuộm' }, headName: 'Bùi Thị Mai' }),
  ];
  const walkIn = createVisitRecord(homes[0]!.id, {
    channel: 'literacy_point',
    literacyPointId: 'Nhà văn hoá TDP 3',
    at: today,
    people: [{ walkInName: 'Hoàng Văn Toàn', steps: [{ platform: 'vneid', step: 'installed', status: 'done' }], independent: ['vneid'] }],
    services: ['Đăng ký tạm trú'],
  });
  delete walkIn.householdId;
  const results = await pushAs(lan, (box) => [
    ...homes.map((h) => box.create('household', h)),
    box.create('visit', createVisitRecord(homes[0]!.id, { at: today, outcome: 'helped', people: [], services: [] })),
    box.create('visit', createVisitRecord(homes[1]!.id, { at: today, outcome: 'revisit', followUpOn: today.slice(0, 10) })),
    // An escalation: the server opens a case for the queue.
    box.create('visit', createVisitRecord(homes[2]!.id, { at: today, outcome: 'helped', escalate: { reason: 'account_problem', detail: 'Quên mật khẩu VNeID' } })),
    box.create('visit', walkIn),
    // A visit to a household the server does not have: rejected, so the attention view has a row.
    box.create('visit', createVisitRecord('0198a0c0-0000-7000-8000-000000000001', { at: today })),
  ]);
  expect(results.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'applied', 'rejected']);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The console pages, each opened by address and waited for. */
function consolePages(): Array<{ name: string; open: (page: Page) => Promise<void> }> {
  return [
    { name: 'dashboard', open: async (p) => (await go(p, '/console/dashboard'), await p.getByTestId('activity-visits').waitFor(), await p.locator('main .coverage-table').waitFor()) },
    {
      name: 'dashboard filtered',
      open: async (p) => (await go(p, '/console/dashboard?group=TDP%205&channel=door'), await p.locator('main table').filter({ hasText: /TDP 5/ }).first().waitFor(), await p.getByTestId('activity-visits').waitFor()),
    },
    { name: 'cases', open: async (p) => (await go(p, '/console/cases'), await p.locator('main .case-title').first().waitFor()) },
    { name: 'team', open: async (p) => (await go(p, '/console/team'), await p.locator('main .team-name').first().waitFor()) },
    { name: 'enrol', open: async (p) => (await go(p, '/console/enrol'), await p.locator('main .console-groups').first().waitFor()) },
    { name: 'attention', open: async (p) => (await go(p, '/console/attention'), await p.locator('main table').first().waitFor()) },
    { name: 'doors', open: async (p) => (await go(p, '/console/doors?group=TDP%205'), await p.locator('main .doors-table').first().waitFor()) },
    { name: 'exports', open: async (p) => (await go(p, '/console/exports'), await p.locator('main .export-form button[type=submit]').waitFor()) },
  ];
}

async function setLanguage(page: Page, lang: 'vi' | 'en') {
  await page.getByRole('group', { name: /Ngôn ngữ|Language/ }).getByRole('button', { name: lang === 'vi' ? 'Tiếng Việt' : 'English' }).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

it.for([
  ['desk', 1280, 800],
  ['phone', 360, 640],
] as const)('journey 11: every console page passes axe in both languages at %s width', async ([kind, width, height], ctx) => {
  const trace = traceTest(ctx);
  const context = await trace.context(browser, { bypassCSP: true, viewport: { width, height } });
  const page = await context.newPage();
  await signIn(page, server.url, hoa);
  // An organiser lands in the console.
  await page.waitForURL(/#\/console\/dashboard$/);
  if (kind === 'desk') {
    await page.getByRole('navigation', { name: 'Điều hướng trang điều hành' }).waitFor();
    expect(await page.getByRole('button', { name: /Menu/ }).count()).toBe(0);
  } else {
    expect(await page.getByRole('navigation', { name: 'Điều hướng trang điều hành' }).count()).toBe(0);
    await page.getByRole('button', { name: /Menu/ }).click();
    await page.getByRole('navigation', { name: 'Điều hướng trang điều hành' }).getByRole('link', { name: 'Cần xử lý' }).click();
    await page.waitForURL(/#\/console\/attention$/);
    expect(await page.getByRole('navigation', { name: 'Điều hướng trang điều hành' }).count(), 'the menu closes on navigation').toBe(0);
  }
  expect(await page.locator('nav.bottom-nav').count(), 'never the volunteers’ bottom bar').toBe(0);

  const problems: Record<string, unknown> = {};
  for (const lang of ['vi', 'en'] as const) {
    await setLanguage(page, lang);
    for (const s of consolePages()) {
      await s.open(page);
      const label = `${s.name} (${lang}, ${width} px)`;
      const v = await axeViolations(page);
      if (v.length) problems[`${label}: axe`] = v;
      if (kind === 'phone') {
        const o = await sidewaysOverflow(page);
        if (o.scrollWidth > width) problems[`${label}: scrolls sideways`] = o;
        const { small } = await tapTargets(page);
        if (small.length) problems[`${label}: buttons under 48 px`] = small;
      }
    }
    if (kind === 'phone') {
      // The open menu itself.
      await page.getByRole('button', { name: /Menu/ }).click();
      const v = await axeViolations(page);
      if (v.length) problems[`menu (${lang}): axe`] = v;
      await page.keyboard.press('Escape');
    }
  }
  expect(problems).toEqual({});

  // The door list on paper: no console bars, no form, a table per lane.
  await go(page, '/console/doors?group=TDP%205');
  await page.locator('main .doors-table').first().waitFor();
  expect(await page.locator('main .doors-lane h2').allInnerTexts()).toEqual([expect.stringMatching(/^TDP 5 · Ngõ 45/), expect.stringMatching(/^TDP 5 · Ngõ 46/)]);
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.console-topbar').isVisible()).toBe(false);
  expect(await page.locator('.doors-form').isVisible()).toBe(false);
  expect(await page.locator('.doors-table').first().isVisible()).toBe(true);
  expect(await page.locator('.doors-lane').nth(1).evaluate((el) => getComputedStyle(el).breakBefore)).toBe('page');
  await context.close();
});

it.for([
  ['desk', 1280, 800],
  ['phone', 360, 640],
] as const)('journey 11: the city view passes axe in both languages at %s width', async ([kind, width, height], ctx) => {
  const trace = traceTest(ctx);
  const context = await trace.context(browser, { bypassCSP: true, viewport: { width, height } });
  const page = await context.newPage();
  await signIn(page, server.url, city);
  const problems: Record<string, unknown> = {};
  for (const lang of ['vi', 'en'] as const) {
    await setLanguage(page, lang);
    await go(page, '/console/city');
    await page.locator('main .city-ward-link').first().waitFor();
    const label = `city (${lang}, ${width} px)`;
    const v = await axeViolations(page);
    if (v.length) problems[`${label}: axe`] = v;
    if (kind === 'phone') {
      const { small } = await tapTargets(page);
      if (small.length) problems[`${label}: buttons under 48 px`] = small;
    }
  }
  expect(problems).toEqual({});
  await context.close();
});
