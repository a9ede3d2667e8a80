// The console shell: a side navigation on a desk, a top bar with a menu on a
// phone, entries per role, never the volunteers' bottom bar; organisers land
// in the console, volunteers at a console address are told it is not theirs.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppShell } from '../../AppShell';
import { navigate, paths, parseRoute } from '../../router';
import type { Role } from '../../../shared/schemas';
import { makeStore, renderScreen, storeForTest } from '../testUtils';
import { ConsoleShell } from './ConsoleShell';

const realMatchMedia = window.matchMedia;

/** A viewport for useDesktop(): matchMedia answers (min-width: 1024px) as a desk or a phone would. */
function viewport(width: number) {
  window.matchMedia = ((query: string) => ({
    matches: /min-width:\s*1024px/.test(query) ? width >= 1024 : false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as typeof window.matchMedia;
}

const userOf = (role: Role) => ({ id: `${role}-1`, username: role, displayName: 'Phạm Thị Hoa', role, wardCode: role === 'city' ? '*' : 'CUANAM', groups: [] });

function renderShell(role: Role) {
  const store = storeForTest({ user: userOf(role), actor: { userId: `${role}-1`, wardCode: 'CUANAM' } });
  return renderScreen(
    <ConsoleShell route={parseRoute('#/console/attention')} statusBar={<a className="sync-pill" href="#/sync">Đã đồng bộ</a>}>
      <h1>Trang</h1>
    </ConsoleShell>,
    store,
  );
}

afterEach(() => {
  window.matchMedia = realMatchMedia;
});

describe('ConsoleShell', () => {
  it('at desk width shows the side navigation, the current page marked, and no menu button', async () => {
    viewport(1280);
    await renderShell('supervisor');
    const nav = screen.getByRole('navigation', { name: 'Điều hướng trang điều hành' });
    const links = within(nav).getAllByRole('link').map((a) => a.textContent);
    expect(links).toEqual(['Bảng tổng hợp', 'Ca cần hỗ trợ', 'Đội tình nguyện', 'Đăng ký tình nguyện viên', 'Cần xử lý', 'Danh sách cửa', 'Tải dữ liệu', 'Đồng bộ và tài khoản', 'Ứng dụng thực địa']);
    expect(within(nav).getByRole('link', { name: 'Cần xử lý' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Danh sách cửa' })).toHaveAttribute('href', '#/console/doors');
    expect(screen.queryByRole('button', { name: /Menu/ })).not.toBeInTheDocument();
    expect(screen.getByRole('main')).toContainElement(screen.getByRole('heading', { name: 'Trang' }));
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
    expect(a11y.violations.map((v) => v.id)).toEqual([]);
  });

  it('on a phone shows a top bar whose menu button opens and closes the navigation', async () => {
    viewport(360);
    await renderShell('supervisor');
    const menu = screen.getByRole('button', { name: /Menu/ });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
    await userEvent.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    const nav = screen.getByRole('navigation', { name: 'Điều hướng trang điều hành' });
    expect(menu).toHaveAttribute('aria-controls', nav.id);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
    expect(a11y.violations.map((v) => v.id)).toEqual([]);
  });

  it.each([
    ['responder', ['Ca cần hỗ trợ', 'Đồng bộ và tài khoản']],
    ['city', ['Thành phố', 'Bảng tổng hợp', 'Đồng bộ và tài khoản']],
  ] as const)('a %s sees only their entries', async (role, entries) => {
    viewport(1280);
    await renderShell(role);
    expect(within(screen.getByRole('navigation')).getAllByRole('link').map((a) => a.textContent)).toEqual(entries);
  });
});

describe('AppShell and the console', () => {
  beforeEach(() => {
    viewport(1280);
  });

  it('a supervisor at the start address lands on the console dashboard, in the console shell without the bottom bar', async () => {
    navigate('/', { replace: true });
    const store = makeStore({ user: userOf('supervisor'), actor: { userId: 'supervisor-1', wardCode: 'CUANAM' } });
    // No server: the pages say they cannot load, which is enough to see the frame.
    await renderScreen(<AppShell store={store} />, store);
    expect(window.location.hash).toBe(`#${paths.consoleDashboard()}`);
    expect(await screen.findByRole('navigation', { name: 'Điều hướng trang điều hành' })).toBeInTheDocument();
    expect(screen.queryByRole('navigation', { name: 'Điều hướng chính' })).not.toBeInTheDocument();
    store.db.close();
    await store.db.delete();
  });

  it('a volunteer at a console address stays in the field shell and is told politely', async () => {
    navigate(paths.consoleDashboard({ group: 'TDP 5' }), { replace: true });
    const store = makeStore();
    await renderScreen(<AppShell store={store} />, store);
    expect(screen.getByRole('heading', { level: 1, name: 'Chỉ dành cho cán bộ giám sát' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Điều hướng chính' })).toBeInTheDocument();
    expect(screen.queryByRole('navigation', { name: 'Điều hướng trang điều hành' })).not.toBeInTheDocument();
    navigate('/', { replace: true });
    store.db.close();
    await store.db.delete();
  });
});
