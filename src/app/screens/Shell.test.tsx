// The shell around the screens: routes, the language switch, the lists that
// read follow-ups and coverage, and an axe accessibility pass on each screen.
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppShell } from '../AppShell';
import { initI18n, setLanguage } from '../i18n';
import { navigate, paths } from '../router';
import { createHousehold, createPerson, recordVisit, setPersonStep } from '../db/repo';
import { disposeStore, makeStore } from './testUtils';
import type { Store } from '../db/StoreContext';

async function seed(store: Store) {
  const { db, actor } = store;
  const make = async (houseNumber: string, lane: string | undefined, headName: string) => {
    const r = await createHousehold(db, actor, {
      group: 'TDP 5',
      address: { houseNumber, lane, street: 'Hàng Bông' },
      headName,
      povertyStatus: 'none',
      consentGiven: true,
    });
    if (!r.ok) throw new Error('seed');
    return r.record;
  };
  const a = await make('1', '34', 'Ngô Văn Tùng');
  const b = await make('2', '34', 'Đinh Thị Hà');
  const c = await make('3', '36', 'Bùi Văn Sơn');
  await recordVisit(db, actor, { householdId: a.id, channel: 'door', outcome: 'not_home', people: [], services: [] });
  await recordVisit(db, actor, {
    householdId: b.id,
    channel: 'door',
    outcome: 'revisit',
    people: [],
    services: [],
    followUpOn: '2020-01-02',
    escalate: { reason: 'account_problem', detail: 'Tài khoản VNeID bị khoá' },
  });
  const p = await createPerson(db, actor, c.id, { fullName: 'Bùi Văn Sơn', birthYear: 1940, flags: { disability: false, livesAlone: true } });
  if (!p.ok) throw new Error('seed');
  await setPersonStep(db, actor, p.record.id, 'vneid', 'level2', { status: 'blocked', blocker: 'nfc_unreadable' });
  return { a, b, c, person: p.record };
}

async function axeViolations(container: HTMLElement) {
  const result = await axe.run(container, {
    // jsdom has no layout, so colour contrast cannot be computed here.
    rules: { 'color-contrast': { enabled: false } },
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('AppShell', () => {
  let store: Store;
  beforeAll(async () => {
    await initI18n('vi');
  });
  beforeEach(() => {
    navigate('/', { replace: true });
    store = makeStore();
  });
  afterEach(async () => {
    await act(() => setLanguage('vi', false));
    await disposeStore(store);
  });

  it('switches to English and back, and marks the pressed language', async () => {
    const user = userEvent.setup();
    render(<AppShell store={store} statusBar={<span>sync-ok</span>} banners={<p>banner-here</p>} />);
    expect(await screen.findByRole('heading', { name: 'Hôm nay' })).toBeInTheDocument();
    expect(screen.getByText('sync-ok')).toBeInTheDocument();
    expect(screen.getByText('banner-here')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /English/ }));
    expect(await screen.findByRole('heading', { name: 'Today' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /English/ })).toHaveAttribute('aria-pressed', 'true');
    expect(document.documentElement.lang).toBe('en');
    await user.click(screen.getByRole('button', { name: /Tiếng Việt/ }));
    expect(await screen.findByRole('heading', { name: 'Hôm nay' })).toBeInTheDocument();
  });

  it('lists follow-ups with the escalation and the blocked step, soonest first', async () => {
    const { person } = await seed(store);
    render(<AppShell store={store} />);
    act(() => navigate(paths.followups()));
    const items = await screen.findAllByText(/Quay lại hỗ trợ|Đã chuyển tổ phản ứng nhanh|Bước bị vướng/);
    expect(items[0]).toHaveTextContent('Đã chuyển tổ phản ứng nhanh');
    expect(screen.getByText(/Sự cố tài khoản — Tài khoản VNeID bị khoá/)).toBeInTheDocument();
    expect(screen.getByText(/Định danh điện tử mức 2: Điện thoại không đọc được chip căn cước \(NFC\)/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: person.fullName })).toHaveAttribute('href', `#/person/${person.id}`);
  });

  it('shows coverage per lane with the doors still unknocked', async () => {
    const { c } = await seed(store);
    render(<AppShell store={store} />);
    act(() => navigate(paths.coverage('TDP 5')));
    const lane34 = await screen.findByRole('region', { name: 'ngõ 34' });
    expect(within(lane34).getByText('Đã ghi').nextSibling).toHaveTextContent('2');
    expect(within(lane34).getByText('Không có nhà').nextSibling).toHaveTextContent('1');
    expect(within(lane34).getByText('Đã gõ hết các cửa trong ngõ này.')).toBeInTheDocument();
    const lane36 = screen.getByRole('region', { name: 'ngõ 36' });
    expect(within(lane36).getByRole('link', { name: 'Số 3, ngõ 36' })).toHaveAttribute('href', `#/household/${c.id}`);
  });

  it.each([
    ['home', paths.home(), 'Hôm nay'],
    ['households', paths.households('TDP 5'), 'Hộ gia đình theo tổ dân phố'],
    ['new household', paths.householdNew('TDP 5'), 'Thêm hộ gia đình'],
    ['follow-ups', paths.followups(), 'Cần theo dõi'],
    ['coverage', paths.coverage('TDP 5'), 'Độ phủ theo ngõ'],
    ['literacy point', paths.point(), 'Điểm “Bình dân học vụ số”'],
    ['search', paths.search('bui van'), 'Tìm kiếm'],
  ])('has no axe violations on the %s screen', async (_name, path, heading) => {
    await seed(store);
    const { container } = render(<AppShell store={store} />);
    act(() => navigate(path));
    expect(await screen.findByRole('heading', { level: 1, name: heading })).toBeInTheDocument();
    expect(await axeViolations(container)).toEqual([]);
  });

  it('has no axe violations on the household, person and visit screens', async () => {
    const { c, person } = await seed(store);
    const { container } = render(<AppShell store={store} />);
    for (const [path, heading] of [
      [paths.household(c.id), /Số 3/],
      [paths.person(person.id), 'Bùi Văn Sơn'],
      [paths.visit(c.id), 'Ghi lượt thăm'],
      [paths.personNew(c.id), 'Thêm thành viên'],
    ] as const) {
      act(() => navigate(path));
      expect(await screen.findByRole('heading', { level: 1, name: heading })).toBeInTheDocument();
      expect(await axeViolations(container), path).toEqual([]);
    }
  });
});
