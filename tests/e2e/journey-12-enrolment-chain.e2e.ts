// Journey 12 — the enrolment chain (issue 9), in Vietnamese. A supervisor at a
// desk (1280×800) signs in to the console, opens the Enrol page and creates a
// one-time link for a new volunteer of TDP 3; the link the page shows under its
// QR code is opened on a phone (360×640), where the volunteer picks a username
// and password and is signed in. She registers a household, records a visit
// that escalates to the response team, and it syncs: the server opens a case.
// A responder at a desk takes the case on #/console/cases, writes how it was
// solved and resolves it; that syncs. After the volunteer's next sync the
// follow-up for that escalation is gone from "Cần theo dõi".
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { traceTest } from './support/browser';
import type { E2EServer } from './support/server';
import { go, openVisitForm, registerHousehold, saveVisit, signIn, syncNow, syncPill, waitForPending, WAIT } from './support/app';
import { withBrowserAndServer } from './support/harness';

let browser: Browser;
let server: E2EServer;
withBrowserAndServer((b, s) => {
  [browser, server] = [b, s];
});

const DESK = { viewport: { width: 1280, height: 800 } } as const;
const PHONE_640 = { viewport: { width: 360, height: 640 } } as const;
const CONSOLE_NAV = 'Điều hướng trang điều hành';

/** Opens a console page the way an organiser does: from the console's side navigation (shown at desk width). */
async function openConsolePage(page: Page, linkName: string, hashPath: string): Promise<void> {
  await page.getByRole('navigation', { name: CONSOLE_NAV }).getByRole('link', { name: linkName, exact: true }).click();
  await page.waitForURL(new RegExp(`#${hashPath.replace(/[/?]/g, '\\$&')}$`));
}

/** The one case card on the responder's queue whose heading is this reason. */
const caseCard = (page: Page, reason: string) => page.locator('main').getByRole('listitem').filter({ has: page.getByRole('heading', { name: reason }) });

/** The follow-up list's escalation items (the list is virtualised: rows are divs with list roles, not li). */
const escalationFollowUps = (page: Page) => page.locator('main .followup-escalation');

it('journey 12: a supervisor enrols a volunteer by link, her escalation becomes a case the responder resolves, and her follow-up clears', async (ctx) => {
  const trace = traceTest(ctx);
  // The ward's team: a supervisor, a responder, and a volunteer of TDP 3 already
  // there (so TDP 3 is one of the groups the Enrol page offers).
  const hoa = await server.createUser({ role: 'supervisor', displayName: 'Phạm Thị Hoa' });
  const minh = await server.createUser({ role: 'responder', displayName: 'Trần Văn Minh' });
  await server.createUser({ groups: ['TDP 3'], displayName: 'Lê Văn Nam' });

  // ---- The supervisor, at a desk, creates the enrolment.
  const office = await trace.context(browser, { ...DESK, permissions: ['clipboard-read', 'clipboard-write'] }, 'supervisor');
  const sup = await office.newPage();
  await signIn(sup, server.url, hoa);
  // An organiser lands in the console, never under the volunteers' bottom bar.
  await sup.waitForURL(/#\/console\/dashboard$/);
  expect(await sup.getByRole('navigation', { name: 'Điều hướng chính' }).count()).toBe(0);
  await openConsolePage(sup, 'Đăng ký tình nguyện viên', '/console/enrol');
  await sup.getByRole('heading', { level: 1, name: 'Đăng ký tình nguyện viên' }).waitFor();
  const form = sup.getByRole('form', { name: 'Đăng ký mới' });
  await form.getByLabel('Họ và tên').fill('Nguyễn Thị Lan');
  await form.getByLabel('Vai trò').selectOption({ label: 'Tình nguyện viên' });
  await form.getByRole('group', { name: 'Tổ dân phố' }).getByLabel('TDP 3', { exact: true }).check();
  await form.getByRole('button', { name: 'Tạo đường dẫn đăng ký' }).click();

  // The link under the QR code: the URL the phone's camera would open.
  const shown = sup.getByRole('region', { name: 'Đường dẫn đăng ký cho Nguyễn Thị Lan' });
  await shown.getByRole('img', { name: 'Mã QR của đường dẫn đăng ký cho Nguyễn Thị Lan' }).waitFor();
  const url = await shown.locator('.enrol-url').getByRole('link').getAttribute('href');
  expect(url).toMatch(new RegExp(`^${server.url.replace(/\./g, '\\.')}/#/enrol/[A-Za-z0-9_-]{20,}$`));
  expect(await shown.locator('.enrol-url').getByRole('link').innerText()).toBe(url);
  // Its copy button puts that same URL on the clipboard.
  await shown.getByRole('button', { name: 'Sao chép đường dẫn' }).click();
  await shown.getByText('Đã sao chép đường dẫn.').waitFor();
  expect(await sup.evaluate(() => navigator.clipboard.readText())).toBe(url);
  // It is pending until used.
  await sup.getByRole('button', { name: 'Hủy đường dẫn của Nguyễn Thị Lan' }).waitFor();

  // ---- The volunteer's phone opens the link and she chooses her sign-in.
  const phone = await trace.context(browser, PHONE_640, 'volunteer');
  const lan = await phone.newPage();
  await lan.goto(url!);
  await lan.getByRole('heading', { name: 'Chào mừng đến với Gõ Cửa' }).waitFor();
  await lan.getByText('Người phụ trách đã đăng ký cho bạn với tên Nguyễn Thị Lan.', { exact: false }).waitFor();
  await lan.getByLabel('Tên đăng nhập').fill('lan.nguyen');
  await lan.getByLabel('Mật khẩu').fill('hoa sen trong ngõ nhỏ');
  await lan.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await lan.getByRole('heading', { name: 'Chào mừng Nguyễn Thị Lan!' }).waitFor();
  await lan.getByText('Bạn đã đăng nhập với tên lan.nguyen.', { exact: false }).waitFor();
  await lan.getByRole('button', { name: 'Bắt đầu dùng Gõ Cửa' }).click();
  await syncPill(lan).waitFor(); // the signed-in shell

  // The link is single-use: it has left the supervisor's pending list.
  await sup.reload();
  await sup.getByText('Không có đường dẫn nào đang chờ.').waitFor();

  // ---- A household of TDP 3 and a visit that escalates, synced.
  const householdId = await registerHousehold(lan, { group: 'TDP 3', houseNumber: '14', lane: '32', street: 'Hàng Bông', headName: 'Vũ Văn Bình' });
  await openVisitForm(lan);
  await lan.locator('main').getByRole('button', { name: 'Chuyển tổ phản ứng nhanh', exact: true }).click();
  await lan.getByLabel('Lý do chuyển').selectOption({ label: 'Vướng xác thực danh tính' });
  await lan.getByLabel('Mô tả vấn đề').fill('Ông Bình không nhận được mã OTP kích hoạt VNeID.');
  await saveVisit(lan);
  await waitForPending(lan, 0);
  // The server opened the case; it comes down with her next pull.
  await syncNow(lan);
  await go(lan, '/followups');
  await lan.getByRole('heading', { level: 1, name: 'Cần theo dõi' }).waitFor();
  await escalationFollowUps(lan).getByText('Tổ phản ứng nhanh: chưa tiếp nhận').waitFor();
  expect(await escalationFollowUps(lan).count()).toBe(1);

  // ---- The responder, at a desk, takes the case and resolves it.
  const team = await trace.context(browser, DESK, 'responder');
  const res = await team.newPage();
  await signIn(res, server.url, minh);
  await res.waitForURL(/#\/console\/cases$/); // a responder's console starts at the queue
  await res.getByRole('heading', { level: 1, name: 'Ca chuyển tổ phản ứng nhanh' }).waitFor();
  const card = caseCard(res, 'Vướng xác thực danh tính');
  await card.getByText('Ông Bình không nhận được mã OTP kích hoạt VNeID.').waitFor();
  await card.getByText('Chưa tiếp nhận').waitFor();
  expect(await card.count()).toBe(1);
  await card.getByRole('button', { name: 'Nhận ca này' }).click();
  await card.getByText('Đang xử lý', { exact: true }).waitFor();
  await card.getByLabel('Đã giải quyết thế nào').fill('Đã liên hệ nhà mạng, cấp lại SIM chính chủ; ông Bình đã kích hoạt được.');
  await card.getByRole('button', { name: 'Đánh dấu đã giải quyết' }).click();
  await card.getByText('Đã giải quyết', { exact: true }).waitFor();
  await waitForPending(res, 0);
  await card.getByText('Đã đồng bộ').waitFor();

  // The server has it resolved, with the responder's resolution.
  const cases = await server.recordsThroughApi('case');
  expect(cases).toHaveLength(1);
  expect(cases[0]).toMatchObject({
    status: 'resolved',
    householdId,
    group: 'TDP 3',
    reason: 'identity_verification',
    assigneeId: minh.id,
    resolution: 'Đã liên hệ nhà mạng, cấp lại SIM chính chủ; ông Bình đã kích hoạt được.',
  });

  // ---- The volunteer syncs again: the escalation's follow-up has cleared.
  await syncNow(lan);
  await go(lan, '/followups');
  await lan.getByRole('heading', { level: 1, name: 'Cần theo dõi' }).waitFor();
  await expect.poll(() => escalationFollowUps(lan).count(), { timeout: WAIT.short }).toBe(0);
  await lan.getByText('Không có việc nào cần theo dõi.').waitFor();

  await Promise.all([office.close(), phone.close(), team.close()]);
});
