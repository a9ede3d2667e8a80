// The Team page: people with their devices' state, the 3-day flag, and the
// supervisor's actions (edit groups, disable, new password link, revoke).
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import { makeSupervisorStore, renderScreen } from '../testUtils';
import { Team } from './Team';
import { fakeConsoleServer, jsonResponse } from './fakeConsoleServer';

const NOW = new Date('2026-08-10T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const member = (over: object) => ({ id: 'u1', username: 'lan', displayName: 'Lan', role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 2'], disabled: false, createdAt: '2026-08-01T00:00:00Z', ...over });
const device = (over: object) => ({ clientId: 'client-aaaa', userId: 'u1', displayName: 'Lan', appVersion: '0.1.0', lastPushAt: daysAgo(1), lastPullAt: daysAgo(1), pending: 0, storagePersisted: true, revokedAt: null, ...over });

function server() {
  return fakeConsoleServer({
    'GET /api/v1/users': () =>
      jsonResponse({
        users: [
          member({ id: 'sup-1', username: 'hoa', displayName: 'Phạm Thị Hoa', role: 'supervisor', groups: [] }),
          member({}),
          member({ id: 'u2', username: 'minh', displayName: 'Minh', groups: ['TDP 10'] }),
        ],
      }),
    'GET /api/v1/devices': () =>
      jsonResponse([
        device({}),
        device({ clientId: 'client-bbbb', userId: 'u2', displayName: 'Minh', pending: 7, lastPushAt: daysAgo(5), lastPullAt: daysAgo(5), storagePersisted: false }),
      ]),
    'PATCH /api/v1/users/u1': (body) => jsonResponse({ user: member(body as object) }),
    'POST /api/v1/users/u1/enrolment': () => jsonResponse({ id: 'e9', token: 'B'.repeat(43), url: 'http://gocua.test/#/enrol/' + 'B'.repeat(43), expiresAt: daysAgo(-1) }, 201),
    'POST /api/v1/devices/client-aaaa/revoke': () => jsonResponse({ revokedAt: NOW.toISOString() }),
  });
}

async function renderTeam() {
  const s = server();
  await renderScreen(<Team http={s.http} now={() => NOW} />, makeSupervisorStore());
  await screen.findByRole('listitem', { name: /^Minh/ });
  return s;
}

describe('Team', () => {
  it('flags, first, whoever has records waiting and no sync for 3 days, with their devices’ state', async () => {
    await renderTeam();
    expect(screen.getByText('1 người còn bản ghi chờ gửi và đã 3 ngày chưa đồng bộ.')).toBeInTheDocument();
    const cards = screen.getAllByRole('listitem').filter((li) => li.classList.contains('team-member'));
    expect(within(cards[0]!).getByRole('heading')).toHaveTextContent('Minh');
    const minh = cards[0]!;
    expect(within(minh).getByText('7 bản ghi chờ gửi, 3 ngày chưa đồng bộ')).toBeInTheDocument();
    expect(within(minh).getByText('Không: điện thoại có thể xóa dữ liệu khi hết dung lượng')).toBeInTheDocument();
    expect(within(minh).getByText('0.1.0')).toBeInTheDocument();
    const lan = screen.getByRole('listitem', { name: /^Lan/ });
    expect(within(lan).queryByText(/3 ngày chưa đồng bộ/)).not.toBeInTheDocument();
    // No actions on a supervisor's own card.
    const hoa = screen.getByRole('listitem', { name: /^Phạm Thị Hoa/ });
    expect(within(hoa).queryByRole('button')).not.toBeInTheDocument();
  });

  it('edits a volunteer’s groups', async () => {
    const user = userEvent.setup();
    const s = await renderTeam();
    await user.click(screen.getByRole('button', { name: 'Sửa tổ của Lan' }));
    const lan = screen.getByRole('listitem', { name: /^Lan/ });
    await user.click(within(lan).getByRole('checkbox', { name: 'TDP 10' }));
    await user.click(within(lan).getByRole('button', { name: 'Lưu tổ' }));
    await waitFor(() => expect(s.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ groups: ['TDP 2', 'TDP 10'] }));
  });

  it('disables a volunteer only after a confirmation', async () => {
    const user = userEvent.setup();
    const s = await renderTeam();
    await user.click(screen.getByRole('button', { name: 'Khóa tài khoản của Lan' }));
    expect(s.calls.some((c) => c.method === 'PATCH')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Đồng ý khóa tài khoản của Lan' }));
    await waitFor(() => expect(s.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ disabled: true }));
  });

  it('issues a new password link and shows it as a QR code', async () => {
    const user = userEvent.setup();
    await renderTeam();
    await user.click(screen.getByRole('button', { name: 'Đường dẫn đặt mật khẩu mới cho Lan' }));
    expect(await screen.findByRole('img', { name: 'Mã QR của đường dẫn đăng ký cho Lan' })).toBeInTheDocument();
  });

  it('revokes one device', async () => {
    const user = userEvent.setup();
    const s = await renderTeam();
    await user.click(screen.getByRole('button', { name: 'Thu hồi thiết bị 1 của Lan' }));
    await waitFor(() => expect(s.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/devices/client-aaaa/revoke')).toBe(true));
  });

  it('has no axe violations, with the group editor open', async () => {
    const user = userEvent.setup();
    await renderTeam();
    await user.click(screen.getByRole('button', { name: 'Sửa tổ của Lan' }));
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
