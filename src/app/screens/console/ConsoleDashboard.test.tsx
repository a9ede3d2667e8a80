// The console dashboard: filters live in the URL and go to the server as
// they are; the charts are images with a text alternative, each beside its
// data table; targets and activity read as text.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import { activityReportSchema, type ActivityReport } from '../../../shared/console';
import { reportSummarySchema } from '../../../shared/reports';
import { navigate, parseRoute } from '../../router';
import type { HttpOptions } from '../../sync/http';
import { makeSupervisorStore, renderScreen, disposeStore } from '../testUtils';
import type { Store } from '../../db/StoreContext';
import { ConsoleDashboard } from './ConsoleDashboard';

const activity: ActivityReport = activityReportSchema.parse({
  wardCode: 'CUANAM',
  generatedAt: '2026-08-08T03:00:00.000Z',
  filters: { group: null, from: null, to: null, volunteer: null, channel: null },
  totals: { visits: 9, door: 7, literacyPoint: 2, households: 6, people: 11 },
  targets: {
    groups: [
      { group: 'TDP 5', name: 'Tổ 5', households: 40, reached: 12, targetHouseholds: 30 },
      { group: 'TDP 10', name: null, households: 8, reached: 3, targetHouseholds: null },
    ],
    independent: { people: 4, target: 20 },
  },
  volunteers: [
    { userId: 'vol-1', displayName: 'Nguyễn Thị Lan', visits: 7, households: 6, peopleHelped: 9, lastSyncAt: '2026-08-08T01:00:00.000Z' },
    { userId: 'vol-2', displayName: 'Trần Văn Minh', visits: 0, households: 0, peopleHelped: 0, lastSyncAt: '2026-07-20T01:00:00.000Z' },
  ],
  literacyPoints: [{ literacyPoint: 'Nhà văn hoá TDP 3', walkIns: 2, people: 2, services: 3, independent: 1 }],
  funnel: [
    { platform: 'vneid', people: 5, steps: [{ step: 'installed', done: 5, blocked: 0 }, { step: 'registered', done: 3, blocked: 1 }, { step: 'level2', done: 1, blocked: 2 }, { step: 'loggedIn', done: 1, blocked: 0 }], independent: 1 },
    { platform: 'ihanoi', people: 2, steps: [{ step: 'installed', done: 2, blocked: 0 }, { step: 'registered', done: 1, blocked: 0 }, { step: 'usedFeature', done: 0, blocked: 0 }], independent: 1 },
    { platform: 'nationalPortal', people: 0, steps: [{ step: 'account', done: 0, blocked: 0 }, { step: 'loggedIn', done: 0, blocked: 0 }, { step: 'submitted', done: 0, blocked: 0 }], independent: 0 },
    { platform: 'mpsPortal', people: 0, steps: [{ step: 'account', done: 0, blocked: 0 }, { step: 'loggedIn', done: 0, blocked: 0 }, { step: 'submitted', done: 0, blocked: 0 }], independent: 0 },
  ],
  visitsPerDay: [
    { day: '2026-08-01', door: 3, literacyPoint: 0 },
    { day: '2026-08-02', door: 0, literacyPoint: 0 },
    { day: '2026-08-03', door: 4, literacyPoint: 2 },
  ],
});

const summary = reportSummarySchema.parse({
  wardCode: 'CUANAM',
  generatedAt: '2026-08-08T03:00:00.000Z',
  coverage: [],
  funnel: [],
  blockers: [],
  visits: { total: 0, door: 0, literacyPoint: 0, helped: 0, escalations: 0 },
  cases: { open: 0, inProgress: 0, medianAgeDays: null, byReason: [] },
});

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

/** Answers the summary and the activity; records every activity request. */
function fakeServer(): HttpOptions & { activity: URLSearchParams[] } {
  const seen: URLSearchParams[] = [];
  return {
    activity: seen,
    baseUrl: 'http://gocua.test',
    fetchImpl: (async (input: RequestInfo | URL) => {
      const url = new URL(String(input));
      if (url.pathname === '/api/v1/reports/summary') return json(summary);
      if (url.pathname === '/api/v1/reports/activity') {
        seen.push(url.searchParams);
        return json(activity);
      }
      throw new TypeError('Failed to fetch');
    }) as typeof fetch,
  };
}

describe('ConsoleDashboard', () => {
  let store: Store;
  afterEach(async () => {
    navigate('/', { replace: true });
    await disposeStore(store);
  });

  it('sends the filters of its URL to the server and shows them in the form', async () => {
    store = makeSupervisorStore();
    const http = fakeServer();
    const route = parseRoute('#/console/dashboard?group=TDP%205&from=2026-08-01&to=2026-08-07&channel=door&volunteer=vol-1');
    if (route.name !== 'consoleDashboard') throw new Error(route.name);
    await renderScreen(<ConsoleDashboard filters={route.filters} http={http} />, store);
    await screen.findByTestId('activity-visits');
    const filtered = http.activity.find((q) => q.get('group') === 'TDP 5');
    expect(filtered && Object.fromEntries(filtered)).toEqual({ group: 'TDP 5', from: '2026-08-01', to: '2026-08-07', volunteer: 'vol-1', channel: 'door' });
    const form = screen.getByRole('form', { name: 'Bộ lọc' });
    expect(within(form).getByLabelText('Tổ dân phố')).toHaveValue('TDP 5');
    expect(within(form).getByLabelText('Từ ngày')).toHaveValue('2026-08-01');
    expect(within(form).getByLabelText('Hình thức')).toHaveValue('door');
    expect(within(form).getByLabelText('Tình nguyện viên')).toHaveValue('vol-1');
  });

  it('applying the filters writes them into the URL; a reversed date range is refused before any request', async () => {
    store = makeSupervisorStore();
    const http = fakeServer();
    await renderScreen(<ConsoleDashboard filters={{}} http={http} />, store);
    await screen.findByTestId('activity-visits');
    const form = screen.getByRole('form', { name: 'Bộ lọc' });
    await userEvent.selectOptions(within(form).getByLabelText('Tổ dân phố'), 'TDP 10');
    await userEvent.selectOptions(within(form).getByLabelText('Hình thức'), 'literacy_point');
    await userEvent.type(within(form).getByLabelText('Từ ngày'), '2026-08-09');
    await userEvent.type(within(form).getByLabelText('Đến ngày'), '2026-08-02');
    expect(within(form).getByRole('alert')).toHaveTextContent('Ngày bắt đầu phải trước');
    expect(within(form).getByRole('button', { name: 'Áp dụng' })).toBeDisabled();
    await userEvent.clear(within(form).getByLabelText('Đến ngày'));
    await userEvent.type(within(form).getByLabelText('Đến ngày'), '2026-08-10');
    await userEvent.click(within(form).getByRole('button', { name: 'Áp dụng' }));
    const route = parseRoute(window.location.hash);
    expect(route).toEqual({ name: 'consoleDashboard', filters: { group: 'TDP 10', from: '2026-08-09', to: '2026-08-10', channel: 'literacy_point' }, ward: undefined });
    expect(within(form).getByRole('link', { name: 'Bỏ lọc' })).toHaveAttribute('href', '#/console/dashboard');
  });

  it('draws each chart as an image with a text alternative, beside a table of the same figures', async () => {
    store = makeSupervisorStore();
    await renderScreen(<ConsoleDashboard filters={{}} http={fakeServer()} />, store);
    await screen.findByTestId('activity-visits');

    const days = screen.getByRole('img', { name: /Biểu đồ cột: lượt hỗ trợ mỗi ngày.*9 lượt trong 3 ngày; nhiều nhất 6 lượt/ });
    expect(days.querySelectorAll('rect').length).toBeGreaterThanOrEqual(6);
    const dayTable = screen.getByRole('table', { name: 'Lượt hỗ trợ theo ngày' });
    expect(within(dayTable).getAllByRole('row').slice(1).map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent))).toEqual([
      ['3', '0', '3'],
      ['0', '0', '0'],
      ['4', '2', '6'],
    ]);
    // Series are told apart by a named pattern, not colour alone.
    expect(screen.getAllByText('Tại điểm hỗ trợ').length).toBeGreaterThan(0);

    const funnel = screen.getByRole('img', { name: /Biểu đồ thanh.*13 bước đã xong, 3 bước bị vướng/ });
    expect(within(funnel).getByText('1 + 2')).toBeInTheDocument(); // VNeID level 2: done + blocked, written on the bar
    const funnelTable = screen.getByRole('table', { name: /Tiến độ theo nền tảng/ });
    expect(within(funnelTable).getByRole('row', { name: /Định danh điện tử mức 2/ })).toHaveTextContent(/12$/);

    // Targets and activity, as text.
    const targets = screen.getByRole('table', { name: 'Chỉ tiêu' });
    expect(within(targets).getByRole('row', { name: /TDP 5 · Tổ 5/ })).toHaveTextContent('12/30 (40%)');
    expect(within(targets).getByRole('row', { name: /TDP 10/ })).toHaveTextContent('3 (chưa đặt chỉ tiêu)');
    expect(screen.getByText('Người tự làm được:').parentElement).toHaveTextContent('4/20 (20%)');
    const vols = screen.getByRole('table', { name: 'Tình nguyện viên' });
    expect(within(vols).getByRole('row', { name: /Trần Văn Minh/ })).toHaveTextContent('quá 7 ngày');
    expect(within(vols).getByRole('row', { name: /Nguyễn Thị Lan/ })).not.toHaveTextContent('quá 7 ngày');
    expect(within(screen.getByRole('table', { name: 'Điểm hỗ trợ' })).getByRole('row', { name: /Nhà văn hoá TDP 3/ })).toHaveTextContent('Nhà văn hoá TDP 32231');

    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
