// The redeem page a QR code opens: a new account's username and password, or
// only a new password; the server's refusals in plain words; signed in and
// offered the app at the end.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initI18n, loadLazyNamespaces } from '../i18n';
import { SessionProvider, useSession } from '../session/SessionContext';
import { currentProfile, forgetCurrentUser } from '../db/deviceDb';
import { EnrolRedeem } from './EnrolRedeem';
import { fakeConsoleServer, jsonResponse } from './console/fakeConsoleServer';

const TOKEN = 'T'.repeat(43);
const preview = { kind: 'new', role: 'volunteer', displayName: 'Trần Văn Minh', expiresAt: '2026-08-02T00:00:00Z' };
const profile = { id: 'u-new', username: 'minh', displayName: 'Trần Văn Minh', role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 3'] };
const error = (status: number, code: string, extra: object = {}) => jsonResponse({ error: { code, message: 'x', ...extra } }, status);

function Who() {
  const { session } = useSession();
  return <p data-testid="who">{session.status === 'signed_in' ? session.user.username : session.status}</p>;
}

async function renderRedeem(routes: Parameters<typeof fakeConsoleServer>[0]) {
  const s = fakeConsoleServer(routes);
  render(
    <SessionProvider>
      <EnrolRedeem token={TOKEN} http={s.http} />
      <Who />
    </SessionProvider>,
  );
  return s;
}

describe('EnrolRedeem', () => {
  beforeAll(async () => {
    await initI18n('vi');
    await loadLazyNamespaces(['enrol']);
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await forgetCurrentUser();
  });

  it('creates the account, signs this phone in and offers to start', async () => {
    // The new session's sync engine talks to the real fetch: answer it "signed out".
    vi.stubGlobal('fetch', async () => error(401, 'unauthenticated'));
    const user = userEvent.setup();
    const s = await renderRedeem({
      'POST /api/v1/enrolments/peek': () => jsonResponse(preview),
      'POST /api/v1/enrolments/redeem': () => jsonResponse({ user: profile }),
    });
    expect(await screen.findByText(/đã đăng ký cho bạn với tên Trần Văn Minh/)).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Tên đăng nhập' }), 'minh');
    await user.type(screen.getByLabelText('Mật khẩu'), 'lantern orchid violet river');
    await user.click(screen.getByRole('button', { name: 'Tạo tài khoản' }));
    expect(await screen.findByRole('heading', { name: 'Chào mừng Trần Văn Minh!' })).toBeInTheDocument();
    expect(s.calls.find((c) => c.path === '/api/v1/enrolments/redeem')?.body).toEqual({ token: TOKEN, username: 'minh', password: 'lantern orchid violet river' });
    await waitFor(() => expect(screen.getByTestId('who')).toHaveTextContent('minh'));
    expect((await currentProfile())?.id).toBe('u-new');
    expect(screen.getByRole('button', { name: 'Bắt đầu dùng Gõ Cửa' })).toBeInTheDocument();
  });

  it('shows the server’s password rule and a taken username, and keeps the form', async () => {
    const user = userEvent.setup();
    const answers = [error(400, 'weak_password', { reason: 'too_short' }), error(400, 'weak_password', { reason: 'common' }), error(409, 'conflict')];
    await renderRedeem({
      'POST /api/v1/enrolments/peek': () => jsonResponse(preview),
      'POST /api/v1/enrolments/redeem': () => answers.shift()!,
    });
    await user.type(await screen.findByRole('textbox', { name: 'Tên đăng nhập' }), 'minh');
    await user.type(screen.getByLabelText('Mật khẩu'), 'short');
    const submit = screen.getByRole('button', { name: 'Tạo tài khoản' });
    await user.click(submit);
    expect(await screen.findByRole('alert')).toHaveTextContent('Mật khẩu cần ít nhất 10 ký tự.');
    await user.click(submit);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('phổ biến hoặc dễ đoán'));
    await user.click(submit);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Tên đăng nhập này đã có người dùng'));
    expect(screen.getByRole('textbox', { name: 'Tên đăng nhập' })).toHaveValue('minh');
  });

  it.each([
    ['enrolment_used', 410, 'Đường dẫn này đã được dùng.'],
    ['enrolment_expired', 410, 'Đường dẫn này đã hết hạn'],
    ['enrolment_cancelled', 410, 'Người phụ trách đã hủy đường dẫn này.'],
    ['not_found', 404, 'Đường dẫn đăng ký không hợp lệ.'],
  ])('a link that answers %s says so plainly, with no form', async (code, status, text) => {
    await renderRedeem({ 'POST /api/v1/enrolments/peek': () => error(status, code) });
    expect(await screen.findByRole('alert')).toHaveTextContent(text);
    expect(screen.queryByLabelText('Mật khẩu')).not.toBeInTheDocument();
  });

  it('a re-enrolment asks only for a new password and names the account', async () => {
    const user = userEvent.setup();
    vi.stubGlobal('fetch', async () => error(401, 'unauthenticated'));
    const s = await renderRedeem({
      'POST /api/v1/enrolments/peek': () => jsonResponse({ ...preview, kind: 'reset', username: 'minh' }),
      'POST /api/v1/enrolments/redeem': () => jsonResponse({ user: profile }),
    });
    expect(await screen.findByText(/Tên đăng nhập vẫn là minh/)).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Tên đăng nhập' })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Mật khẩu mới'), 'copper kettle morning tram');
    await user.click(screen.getByRole('button', { name: 'Lưu mật khẩu mới' }));
    await screen.findByRole('heading', { name: 'Chào mừng Trần Văn Minh!' });
    expect(s.calls.find((c) => c.path === '/api/v1/enrolments/redeem')?.body).toEqual({ token: TOKEN, password: 'copper kettle morning tram' });
  });

  it('has no axe violations', async () => {
    await renderRedeem({ 'POST /api/v1/enrolments/peek': () => jsonResponse(preview) });
    await screen.findByRole('textbox', { name: 'Tên đăng nhập' });
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
