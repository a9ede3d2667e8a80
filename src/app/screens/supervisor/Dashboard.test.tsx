// The supervisor dashboard: what a supervisor sees from the ward figures (from
// the real server over HTTP, and from a contract fixture for the details), what
// a volunteer sees instead, and what happens without a network.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../tests/server/helpers';
import { Outbox } from '../../../../tests/factories/mutations';
import { createHouseholdRecord as household, createPersonRecord as person, createVisitRecord as visit } from '../../../../tests/factories/records';
import { emptyPlatforms } from '../../../shared/schemas';
import { reportSummarySchema, type ReportSummary } from '../../../shared/reports';
import type { HttpOptions } from '../../sync/http';
import type { Store } from '../../db/StoreContext';
import { disposeStore, makeStore, makeSupervisorStore, renderScreen } from '../testUtils';
import { Dashboard } from './Dashboard';


/** A ward summary as the server sends it; parsed below, so it cannot drift from the contract. */
function summaryFixture(overrides: Partial<ReportSummary> = {}): ReportSummary {
  return {
    wardCode: 'CUANAM',
    generatedAt: '2025-03-01T09:30:00.000+07:00',
    visits: { total: 1234, door: 1200, literacyPoint: 34, helped: 980, escalations: 7 },
    coverage: [
      { group: 'TDP 10', households: 40, visited: 10, notHome: 5, declined: 1, unknocked: 24, people: 120, priorityPeople: 9 },
      { group: 'TDP 5', households: 20, visited: 15, notHome: 3, declined: 0, unknocked: 2, people: 55, priorityPeople: 4 },
    ],
    funnel: [
      {
        platform: 'vneid',
        people: 12,
        steps: [
          { step: 'installed', done: 10, blocked: 0 },
          { step: 'level2', done: 6, blocked: 3 },
        ],
        independent: 3,
      },
    ],
    blockers: [
      { platform: 'vneid', blocker: 'nfc_unreadable', count: 3 },
      { platform: 'ihanoi', blocker: 'sim_not_own_name', count: 5 },
      { platform: 'mpsPortal', blocker: 'other', count: 0 },
    ],
    cases: {
      open: 3,
      inProgress: 2,
      medianAgeDays: 4,
      byReason: [
        { reason: 'account_problem', count: 4, medianAgeDays: 5.5 },
        { reason: 'technical', count: 1, medianAgeDays: 1 },
      ],
    },
    ...overrides,
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A fetch that answers the summary from a list, one answer per call (the last
 * one repeats). The exports' audit list, which the dashboard also loads, gets
 * an empty page and is not counted (Exports.test.tsx covers it).
 */
function scriptedFetch(answers: Array<() => Response | Promise<Response>>): HttpOptions & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    baseUrl: 'http://gocua.test',
    fetchImpl: (async (input: RequestInfo | URL) => {
      if (String(input).includes('/api/v1/audit/exports')) return json({ entries: [], hasMore: false });
      calls.push(String(input));
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      return answer();
    }) as typeof fetch,
  };
}

const offline = () => Promise.reject(new TypeError('Failed to fetch'));

describe('Dashboard', () => {
  let store: Store;
  afterEach(async () => {
    await disposeStore(store);
  });

  it('shows the ward figures of a summary that matches the reports contract', async () => {
    const fixture = reportSummarySchema.parse(summaryFixture());
    const http = scriptedFetch([() => json(fixture)]);
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={http} />, store);

    expect(screen.getByRole('heading', { level: 1, name: 'Bảng tổng hợp' })).toBeInTheDocument();
    expect(screen.getByText('Đang tải số liệu tổng hợp…')).toHaveAttribute('role', 'status');
    expect(await screen.findByTestId('visits-total')).toHaveTextContent('1.234tổng số lượt thăm'); // vi-VN grouping
    expect(http.calls).toEqual(['http://gocua.test/api/v1/reports/summary']);

    // Coverage: a named table, groups in natural order (TDP 5 before TDP 10), a ward total row.
    const table = screen.getByRole('table', { name: 'Độ phủ theo tổ dân phố' });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[0]!).getAllByRole('columnheader').map((c) => c.textContent)).toEqual([
      'Tổ dân phố', 'Tỷ lệ đã thăm', 'Số hộ', 'Đã thăm', 'Không có nhà', 'Từ chối', 'Chưa gõ cửa', 'Người ưu tiên',
    ]);
    const cellsOf = (r: HTMLElement) => [within(r).getByRole('rowheader'), ...within(r).getAllByRole('cell')].map((c) => c.textContent);
    expect(cellsOf(rows[1]!)).toEqual(['TDP 5', '75%', '20', '15', '3', '0', '2', '4']);
    expect(cellsOf(rows[2]!)).toEqual(['TDP 10', '25%', '40', '10', '5', '1', '24', '9']);
    expect(cellsOf(rows[3]!)).toEqual(['Cả phường', '42%', '60', '25', '8', '1', '26', '13']);
    // The scrolling box can be reached with a keyboard.
    expect(screen.getByRole('region', { name: 'Độ phủ theo tổ dân phố' })).toHaveAttribute('tabindex', '0');

    // Funnel: localised platform and step names, the independence goal stands out.
    const vneid = screen.getByRole('table', { name: 'VNeID' });
    expect(within(vneid).getByRole('row', { name: /Định danh điện tử mức 2/ })).toHaveTextContent('Định danh điện tử mức 263');
    expect(screen.getByText('Mục tiêu: tự làm được').parentElement).toHaveTextContent('3/12 người (25%)');

    // Blockers: most frequent first, localised, zero counts left out.
    const blockers = within(screen.getByRole('list', { name: 'Vướng mắc thường gặp' })).getAllByRole('listitem');
    expect(blockers.map((li) => li.textContent)).toEqual([
      'SIM không chính chủ, không nhận được OTPiHanoi5 người',
      'Điện thoại không đọc được chip căn cước (NFC)VNeID3 người',
    ]);

    // jsdom has no layout, so colour contrast is left to the browser journey (7);
    // 'region' because the screen is rendered here without the shell's <main>.
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  it('tells a volunteer it is for supervisors only, and asks the server nothing', async () => {
    const http = scriptedFetch([() => json(summaryFixture())]);
    store = makeStore(); // a volunteer
    await renderScreen(<Dashboard http={http} />, store);
    expect(screen.getByRole('heading', { level: 1, name: 'Chỉ dành cho cán bộ giám sát' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Về trang chủ' })).toHaveAttribute('href', '#/');
    expect(screen.queryByRole('button', { name: 'Tải tệp' })).not.toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 20));
    expect(http.calls).toEqual([]);
  });

  it('offline: says a connection is needed, and Retry loads the figures once it is back', async () => {
    const user = userEvent.setup();
    const http = scriptedFetch([offline, () => json(summaryFixture())]);
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={http} />, store);

    expect(await screen.findByRole('alert')).toHaveTextContent('Cần có mạng để xem số liệu tổng hợp');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Thử lại' }));
    expect(await screen.findByTestId('visits-total')).toHaveTextContent('1.234');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(http.calls).toHaveLength(2);
  });

  it.each([
    ['a captive portal page', () => new Response('<html>Wi-Fi</html>', { status: 200, headers: { 'content-type': 'text/html' } }), 'Chưa tải được số liệu tổng hợp'],
    ['an answer that breaks the contract', () => json({ ...summaryFixture(), visits: { total: 'many' } }), 'Chưa tải được số liệu tổng hợp'],
    ['a server error', () => json({ error: { code: 'internal', message: 'boom' } }, 500), 'Chưa tải được số liệu tổng hợp'],
    ['a 401', () => json({ error: { code: 'unauthenticated', message: 'no session' } }, 401), 'Phiên đăng nhập đã hết hạn'],
  ])('%s shows a failure message, never figures', async (_name, answer, message) => {
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={scriptedFetch([answer])} />, store);
    expect(await screen.findByRole('alert')).toHaveTextContent(message);
    expect(screen.queryByTestId('visits-total')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Thử lại' })).toBeInTheDocument();
  });

  it('a 401 offers the way to sign in again', async () => {
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={scriptedFetch([() => json({ error: { code: 'unauthenticated', message: 'x' } }, 401)])} />, store);
    await screen.findByRole('alert');
    expect(screen.getByRole('link', { name: 'Tới trang tài khoản để đăng nhập lại' })).toHaveAttribute('href', '#/sync');
  });
});

describe('Dashboard against the real server (SQLite)', () => {
  let s: TestServer;
  let http: HttpOptions;
  let volunteerHttp: HttpOptions;
  let store: Store;

  /** jsdom's fetch sends no cookies: send the session's, as the browser would. */
  const withCookie = (cookie: string): typeof fetch =>
    ((input: RequestInfo | URL, init: RequestInit = {}) =>
      fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } })) as typeof fetch;

  beforeAll(async () => {
    s = await startTestServer({ dialect: 'sqlite' });
    const lan = await s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
    const hoa = await s.createUser({ role: 'supervisor' });
    const vol = await s.login(lan.username, lan.password);

    // What a volunteer's phone pushes after a visit: a household, a person with VNeID installed, the visit.
    const h = household({ group: 'TDP 5', headName: 'Đặng Thị Thu', address: { houseNumber: '3', lane: '8', street: 'Hàng Gai' } });
    const platforms = emptyPlatforms();
    platforms.vneid.steps.installed = { status: 'done' };
    const p = person(h.id, { fullName: 'Đặng Thị Thu', birthYear: new Date().getFullYear() - 66, platforms });
    const v = visit(h.id, { volunteerId: lan.id, people: [{ personId: p.id, steps: [{ platform: 'vneid', step: 'installed', status: 'done' }] }] });
    const box = new Outbox();
    const push = await s.request('POST', '/api/v1/sync/push', {
      cookie: vol.cookie,
      body: box.body([box.create('household', h), box.create('person', p), box.create('visit', v)]),
    });
    expect(push.body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied', 'applied']);

    const sup = await s.login(hoa.username, hoa.password);
    http = { baseUrl: s.url, fetchImpl: withCookie(sup.cookie) };
    volunteerHttp = { baseUrl: s.url, fetchImpl: withCookie(vol.cookie) };
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(async () => {
    await disposeStore(store);
  });

  it("shows the volunteer's visit in the ward figures", async () => {
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={http} />, store);
    expect(await screen.findByTestId('visits-total')).toHaveTextContent(/^1tổng số lượt thăm$/);
    expect(screen.getByTestId('visits-door')).toHaveTextContent(/^1/);
    const row = within(screen.getByRole('table', { name: 'Độ phủ theo tổ dân phố' })).getByRole('row', { name: /^TDP 5/ });
    expect([within(row).getByRole('rowheader'), ...within(row).getAllByRole('cell')].map((c) => c.textContent)).toEqual([
      'TDP 5', '100%', '1', '1', '0', '0', '0', '1',
    ]);
    const installed = within(screen.getByRole('table', { name: 'VNeID' })).getByRole('row', { name: /Đã cài đặt/ });
    expect(within(installed).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1', '0']);
  });

  it("a session the server does not know asks to sign in again", async () => {
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={{ baseUrl: s.url, fetchImpl: withCookie('gocua_session=nope') }} />, store);
    expect(await screen.findByRole('alert')).toHaveTextContent('Phiên đăng nhập đã hết hạn');
  });

  it("the server refuses a volunteer's session even if the device thought it was a supervisor", async () => {
    store = makeSupervisorStore();
    await renderScreen(<Dashboard http={volunteerHttp} />, store);
    expect(await screen.findByRole('alert')).toHaveTextContent('Tài khoản này không có quyền xem số liệu tổng hợp của phường.');
  });

  it('a server that went away: the connection message, and Retry works once it is back', async () => {
    const user = userEvent.setup();
    store = makeSupervisorStore();
    await s.stop();
    await renderScreen(<Dashboard http={http} />, store);
    expect(await screen.findByRole('alert')).toHaveTextContent('Cần có mạng để xem số liệu tổng hợp');
    await s.restart();
    await user.click(screen.getByRole('button', { name: 'Thử lại' }));
    expect(await screen.findByTestId('visits-total')).toHaveTextContent(/^1/);
  });
});

describe('Dashboard: open cases', () => {
  it('shows the cases waiting per reason with their median age, each reason linking to the filtered queue', async () => {
    const store = makeSupervisorStore();
    const http = scriptedFetch([() => json(summaryFixture())]);
    await renderScreen(<Dashboard http={http} />, store);
    const section = (await screen.findByRole('heading', { name: 'Ca đang chờ tổ phản ứng nhanh' })).closest('section')!;
    expect(within(section).getByTestId('cases-summary')).toHaveTextContent('3 ca chưa tiếp nhận, 2 ca đang xử lý; thời gian chờ trung vị 4 ngày.');
    const row = within(section).getByRole('row', { name: /Sự cố tài khoản/ });
    expect(row).toHaveTextContent('4');
    expect(row).toHaveTextContent('5,5 ngày');
    expect(within(row).getByRole('link', { name: 'Sự cố tài khoản' })).toHaveAttribute('href', '#/console/cases?reason=account_problem');
    await disposeStore(store);
  });
});
