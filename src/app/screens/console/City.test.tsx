// The city page: every ward from the real server over HTTP (two wards pushed
// as devices would), each linking to its dashboard; what other roles see;
// failures; accessibility in both languages.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../tests/server/helpers';
import { Outbox } from '../../../../tests/factories/mutations';
import { createHouseholdRecord as household, createPersonRecord as person, createVisitRecord as visit } from '../../../../tests/factories/records';
import { emptyPlatforms } from '../../../shared/schemas';
import type { HttpOptions } from '../../sync/http';
import type { Store } from '../../db/StoreContext';
import { initI18n } from '../../i18n';
import { disposeStore, makeStore, makeSupervisorStore, renderScreen } from '../testUtils';
import { City } from './City';

const makeCityStore = () =>
  makeStore({
    actor: { userId: 'city-1', wardCode: '*' },
    user: { id: 'city-1', username: 'tp', displayName: 'Sở Khoa học và Công nghệ', role: 'city', wardCode: '*', groups: [] },
  });

const withCookie = (cookie: string) =>
  ((input: RequestInfo | URL, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } })) as typeof fetch;

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('City', () => {
  let s: TestServer;
  let http: HttpOptions;
  let supervisorHttp: HttpOptions;
  let store: Store;

  beforeAll(async () => {
    s = await startTestServer({ dialect: 'sqlite' });
    for (const [ward, households] of [['CUANAM', 2], ['HANGBONG', 1]] as const) {
      const sup = await s.createUser({ role: 'supervisor', wardCode: ward, groups: ['TDP 5'] }); // creates the ward's group
      const { cookie } = await s.login(sup.username, sup.password);
      const box = new Outbox();
      const mutations = [];
      for (let i = 0; i < households; i++) {
        const h = household({ wardCode: ward, group: 'TDP 5' });
        const platforms = emptyPlatforms();
        platforms.vneid.steps.loggedIn = { status: 'done' };
        platforms.vneid.independent = true;
        const p = person(h.id, { wardCode: ward, birthYear: new Date().getFullYear() - 70, platforms });
        mutations.push(box.create('household', h), box.create('person', p), box.create('visit', visit(h.id, { wardCode: ward, outcome: 'helped' })));
      }
      const push = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(mutations) });
      expect(push.status).toBe(200);
      if (ward === 'CUANAM') supervisorHttp = { baseUrl: s.url, fetchImpl: withCookie(cookie) };
    }
    const city = await s.createUser({ role: 'city', wardCode: '*' });
    http = { baseUrl: s.url, fetchImpl: withCookie((await s.login(city.username, city.password)).cookie) };
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(async () => {
    await disposeStore(store);
  });

  it('shows every ward with its figures, each linking to its dashboard, and the city total', async () => {
    store = makeCityStore();
    await renderScreen(<City http={http} />, store);
    const table = await screen.findByRole('table', { name: /^2 phường/ });
    const row = within(table).getByRole('row', { name: /^CUANAM/ });
    const link = within(row).getByRole('link', { name: /^CUANAM/ });
    expect(link).toHaveTextContent('CUANAM (mở trang tổng quan)');
    expect(link).toHaveAttribute('href', '#/console/dashboard?ward=CUANAM');
    // Households, visited (share), priority reached of priority, did it alone, 4 platforms' last step, cases.
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['2', '2 (100%)', '2 / 2', '2', '2', '0', '0', '0', '0', '0']);
    const total = within(table).getByRole('row', { name: /^Tất cả phường/ });
    expect(within(total).getAllByRole('cell')[0]).toHaveTextContent('3');
    expect(within(table).getByRole('row', { name: /^HANGBONG/ })).toBeInTheDocument();
  });

  it.each(['vi', 'en'] as const)('has no accessibility violations in %s', async (lang) => {
    store = makeCityStore();
    await renderScreen(<City http={http} />, store);
    await initI18n(lang);
    await screen.findByRole('table');
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`)).toEqual([]);
    await initI18n('vi');
  });

  it('tells a supervisor it is for the city, and asks the server nothing', async () => {
    const calls: string[] = [];
    store = makeSupervisorStore();
    await renderScreen(<City http={{ baseUrl: 'http://gocua.test', fetchImpl: (async (u: RequestInfo | URL) => (calls.push(String(u)), json({}))) as typeof fetch }} />, store);
    expect(screen.getByRole('heading', { name: 'Chỉ dành cho thành phố' })).toBeInTheDocument();
    expect(calls).toEqual([]);
  });

  it("the server refuses a supervisor's session even if the device thought it was the city", async () => {
    store = makeCityStore();
    await renderScreen(<City http={supervisorHttp} />, store);
    expect(await screen.findByRole('alert')).toHaveTextContent('Tài khoản này không được xem số liệu thành phố.');
    expect(screen.queryByRole('button', { name: 'Thử lại' })).not.toBeInTheDocument();
  });

  it('offline: says a connection is needed, and Retry loads the figures once it is back', async () => {
    const user = userEvent.setup();
    let up = false;
    store = makeCityStore();
    const flaky: HttpOptions = {
      baseUrl: s.url,
      fetchImpl: ((input: RequestInfo | URL, init?: RequestInit) => (up ? http.fetchImpl!(input, init) : Promise.reject(new TypeError('Failed to fetch')))) as typeof fetch,
    };
    await renderScreen(<City http={flaky} />, store);
    expect(await screen.findByRole('alert')).toHaveTextContent('Cần có kết nối mạng');
    up = true;
    await user.click(screen.getByRole('button', { name: 'Thử lại' }));
    expect(await screen.findByRole('table')).toBeInTheDocument();
  });

  it('renders a ward name as text and links only to in-app paths', async () => {
    const report = {
      generatedAt: new Date().toISOString(),
      wards: [
        {
          code: 'X', name: '<img src=x onerror=alert(1)>', dashboard: 'javascript:alert(1)', households: 1, visited: 0, people: 0, priorityPeople: 0, priorityPeopleReached: 0,
          independentPeople: 0, targetIndependent: 5, funnel: [], openCases: 1, inProgressCases: 0,
        },
      ],
    };
    store = makeCityStore();
    await renderScreen(<City http={{ baseUrl: 'http://gocua.test', fetchImpl: (async () => json(report)) as typeof fetch }} />, store);
    const table = await screen.findByRole('table');
    expect(within(table).queryByRole('link')).not.toBeInTheDocument();
    expect(within(table).getByRole('rowheader')).toHaveTextContent('<img src=x onerror=alert(1)>');
    expect(table.querySelector('img')).toBeNull();
    expect(within(table).getByText('0 / chỉ tiêu 5')).toBeInTheDocument();
  });
});
