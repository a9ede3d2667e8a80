// The first-run page: the pasted list's preview, what it sends, what it says
// when the server refuses, and an axe pass in both languages.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Setup } from './Setup';
import { initI18n, loadLazyNamespaces, setLanguage } from '../i18n';

const USER = { id: 'city-1', username: 'admin', displayName: 'Sở TT&TT', role: 'city', wardCode: '*', groups: [] };

function answer(status: number, body: unknown) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

const signedIn = vi.fn(async () => undefined);

async function renderSetup(lang: 'vi' | 'en' = 'vi') {
  await initI18n('vi');
  await loadLazyNamespaces();
  await setLanguage(lang, false);
  signedIn.mockClear();
  return render(<Setup token="the-token" onSignedIn={signedIn} />);
}

async function fillIn(groups: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(/Họ và tên/), 'Nguyễn Văn Thành');
  await user.type(screen.getByLabelText(/Tên đăng nhập/), 'admin');
  await user.type(screen.getByLabelText(/^Mật khẩu/), 'mat-khau-that-la-dai');
  await user.type(screen.getByLabelText(/Tên phường/), 'Phường Cửa Nam');
  await user.type(screen.getByLabelText(/Mã phường/), 'cuanam');
  // Pasted, as a list copied from the ward's documents would be.
  await user.click(screen.getByLabelText(/Các tổ dân phố/));
  await user.paste(groups);
  return user;
}

describe('Setup', () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    window.location.hash = '';
    await setLanguage('vi', false);
  });

  it('previews the groups as typed: a range expands, a duplicate line is named', async () => {
    await renderSetup();
    await fillIn('TDP 1-28\nTDP 3');
    expect(screen.getByText('28 tổ dân phố')).toBeInTheDocument();
    expect(screen.getByText('TDP 1')).toBeInTheDocument();
    expect(screen.getByText('và 22 tổ nữa')).toBeInTheDocument();
    expect(screen.getByText('Dòng 2: tổ này đã có ở trên')).toBeInTheDocument();
  });

  it('refuses to send a list with errors, and sends nothing', async () => {
    const fetch = answer(201, { user: USER });
    await renderSetup();
    const user = await fillIn('TDP 1\nTDP 1');
    await user.click(screen.getByRole('button', { name: 'Tạo và đăng nhập' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Sửa các dòng báo lỗi');
    expect(fetch).not.toHaveBeenCalledWith('/api/v1/setup', expect.anything());
  });

  it('sends the account, the ward (code in capitals) and the parsed groups, then opens the app', async () => {
    const fetch = answer(201, { user: USER });
    await renderSetup();
    const user = await fillIn('TDP 1-3\nNhà văn hoá');
    await user.click(screen.getByRole('button', { name: 'Tạo và đăng nhập' }));
    await vi.waitFor(() => expect(window.location.hash).toBe('#/'));
    await vi.waitFor(() => expect(signedIn).toHaveBeenCalledWith(USER));
    const call = fetch.mock.calls.find(([url]) => url === '/api/v1/setup');
    expect(call).toBeDefined();
    expect(JSON.parse(String(call![1]!.body))).toEqual({
      token: 'the-token',
      username: 'admin',
      password: 'mat-khau-that-la-dai',
      displayName: 'Nguyễn Văn Thành',
      ward: { code: 'CUANAM', name: 'Phường Cửa Nam' },
      groups: [
        { code: 'TDP 1', name: 'TDP 1' },
        { code: 'TDP 2', name: 'TDP 2' },
        { code: 'TDP 3', name: 'TDP 3' },
        { code: 'Nhà văn hoá', name: 'Nhà văn hoá' },
      ],
    });
  });

  it.each([
    [410, 'setup_done', 'Máy chủ đã được thiết lập'],
    [403, 'forbidden', 'Đường dẫn thiết lập không hợp lệ'],
    [400, 'weak_password', 'Mật khẩu quá ngắn hoặc quá phổ biến'],
  ])('says why when the server answers %s %s, and stays on the page', async (status, code, text) => {
    answer(status, { error: { code, message: 'x' } });
    await renderSetup();
    const user = await fillIn('TDP 1');
    await user.click(screen.getByRole('button', { name: 'Tạo và đăng nhập' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(text);
    expect(screen.getByRole('heading', { level: 1, name: 'Thiết lập Gõ Cửa' })).toBeInTheDocument();
    expect(signedIn).not.toHaveBeenCalled();
  });

  it.each(['vi', 'en'] as const)('has no axe violations (%s), with errors showing', async (lang) => {
    const { container } = await renderSetup(lang);
    const user = userEvent.setup();
    await user.click(screen.getByRole('textbox', { name: lang === 'vi' ? /Các tổ dân phố/ : /Residential groups/ }));
    await user.paste('TDP 1\nTDP 1');
    await user.click(screen.getByRole('button', { name: lang === 'vi' ? 'Tạo và đăng nhập' : 'Create and sign in' }));
    await screen.findByRole('alert');
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
