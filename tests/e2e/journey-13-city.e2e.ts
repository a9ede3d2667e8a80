// Journey 13 — the city (issue 9), in Vietnamese. Two wards, Cửa Nam and Hàng
// Bạc, each with households and visits that their volunteers pushed through
// the server's real push path (one an escalation, so Hàng Bạc has an open
// case). A city user signs in at a desk (1280×800), lands on the console's
// city page, sees both wards with their own figures, and follows Hàng Bạc's
// link to that ward's dashboard, which shows Hàng Bạc's group and volunteer
// and nothing of Cửa Nam's.
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { Outbox } from '../factories/mutations';
import { createWard } from '../../src/server/wards';
import type { Mutation } from '../../src/shared/protocol';
import { traceTest } from './support/browser';
import type { E2EServer, E2EUser } from './support/server';
import { signIn } from './support/app';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

const DESK = { viewport: { width: 1280, height: 800 } } as const;
const YEAR = new Date().getFullYear();

/** Signs in as `user` over HTTP and pushes `mutations` from a new device, as the app's sync engine does. */
async function pushAs(user: E2EUser, build: (box: Outbox) => Mutation[]): Promise<void> {
  const login = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const box = new Outbox();
  const res = await fetch(`${server.url}/api/v1/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(box.body(build(box))),
  });
  const body = (await res.json()) as { results: Array<{ status: string; code?: string }> };
  expect(res.status).toBe(200);
  expect(body.results.filter((r) => r.status !== 'applied'), 'every seeded mutation applies').toEqual([]);
}

/**
 * One ward's field work: `households` households in `group`, each with an
 * elderly head; the first `visited` of them visited and helped, the first of
 * those with an escalation when `escalate` is set.
 */
async function seedWard(volunteer: E2EUser, wardCode: string, group: string, households: number, visited: number, escalate = false): Promise<void> {
  await pushAs(volunteer, (box) => {
    const out: Mutation[] = [];
    const at = new Date().toISOString();
    for (let i = 0; i < households; i++) {
      const h = createHouseholdRecord({
        wardCode,
        group,
        address: { houseNumber: String(10 + i), lane: 'Ngõ 5', street: wardCode === 'HANGBAC' ? 'Hàng Bạc' : 'Hàng Bông' },
        consent: { given: true, at, by: volunteer.id },
      });
      const p = createPersonRecord(h.id, { wardCode, birthYear: YEAR - 70, fullName: `Nguyễn Văn Số ${i + 1}` });
      out.push(box.create('household', h), box.create('person', p));
      if (i < visited) {
        const v = createVisitRecord(h.id, {
          wardCode,
          volunteerId: volunteer.id,
          outcome: 'helped',
          ...(escalate && i === 0 ? { escalate: { reason: 'account_problem' as const, detail: 'Tài khoản iHanoi bị khóa.' } } : {}),
        });
        out.push(box.create('visit', v));
      }
    }
    return out;
  });
}

/** The city table's cells of one ward's row, the ward's name first. */
async function wardRow(page: Page, wardName: string): Promise<string[]> {
  const row = page
    .getByRole('table', { name: /phường/ })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${wardName}`) }) });
  await row.waitFor();
  return row.locator('th, td').allInnerTexts();
}

it('journey 13: the city user sees both wards of a two-ward seed with their figures and opens one ward’s dashboard', async (ctx) => {
  const trace = traceTest(ctx);
  await createWard(server.db, { code: 'CUANAM', name: 'Cửa Nam' });
  await createWard(server.db, { code: 'HANGBAC', name: 'Hàng Bạc' });
  const cuaNam = await server.createUser({ wardCode: 'CUANAM', groups: ['TDP 1'], displayName: 'Nguyễn Thị Lan' });
  const hangBac = await server.createUser({ wardCode: 'HANGBAC', groups: ['TDP 7'], displayName: 'Đỗ Văn Hải' });
  const city = await server.createUser({ role: 'city', displayName: 'Sở Khoa học và Công nghệ' });
  await seedWard(cuaNam, 'CUANAM', 'TDP 1', 4, 3);
  await seedWard(hangBac, 'HANGBAC', 'TDP 7', 2, 1, true);

  // ---- The city user, at a desk, lands on the city page.
  const office = await trace.context(browser, DESK, 'city');
  const page = await office.newPage();
  await signIn(page, server.url, city);
  await page.waitForURL(/#\/console\/city$/);
  await page.getByRole('heading', { level: 1, name: 'Thành phố: tất cả phường, xã' }).waitFor();

  // Both wards, each with its own figures: ward, households, visited (share), priority reached / priority, did it alone, 4 platforms, open, in progress.
  const cn = await wardRow(page, 'Cửa Nam');
  const hb = await wardRow(page, 'Hàng Bạc');
  expect(cn[0]).toMatch(/^Cửa Nam/);
  expect(cn[1]).toBe('4');
  expect(cn[2]).toMatch(/^3 \(75\s?%\)$/);
  expect(cn[3]).toBe('3 / 4');
  expect(cn.at(-2)).toBe('0');
  expect(hb[0]).toMatch(/^Hàng Bạc/);
  expect(hb[1]).toBe('2');
  expect(hb[2]).toMatch(/^1 \(50\s?%\)$/);
  expect(hb[3]).toBe('1 / 2');
  expect(hb.at(-2), 'the escalation is an open case').toBe('1');

  // ---- Hàng Bạc's link opens that ward's dashboard.
  await page.getByRole('link', { name: /^Hàng Bạc/ }).click();
  await page.waitForURL(/#\/console\/dashboard\?ward=HANGBAC$/);
  await page.getByRole('heading', { level: 1, name: /Bảng tổng hợp/ }).waitFor();
  await page.locator('main').getByText('Mã phường: HANGBAC').waitFor();
  // Its group's target row and its volunteer's activity; nothing of Cửa Nam.
  const rows = page.locator('main').getByRole('row');
  const tdp7 = rows.filter({ has: page.getByText('TDP 7', { exact: true }) }).first();
  await tdp7.waitFor();
  expect((await tdp7.locator('th, td').allInnerTexts()).at(-1), 'households recorded in TDP 7').toBe('2');
  await rows.filter({ hasText: 'Đỗ Văn Hải' }).first().waitFor();
  expect(await rows.filter({ hasText: 'TDP 1' }).count(), 'no group of Cửa Nam').toBe(0);
  expect(await rows.filter({ hasText: 'Nguyễn Thị Lan' }).count(), 'no volunteer of Cửa Nam').toBe(0);
  await office.close();
});
