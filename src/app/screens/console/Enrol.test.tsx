// The Enrol page: a supervisor creates a link and sees it as a QR code and a
// link to copy; pending links are listed and can be cancelled.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import { makeSupervisorStore, makeStore, renderScreen } from '../testUtils';
import { Enrol } from './Enrol';
import { fakeConsoleServer, jsonResponse } from './fakeConsoleServer';

const URL = 'http://gocua.test/#/enrol/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const member = (over: object) => ({ id: 'u1', username: 'lan', displayName: 'Lan', role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 2'], disabled: false, createdAt: '2026-08-01T00:00:00Z', ...over });
const pendingRow = { id: 'e1', role: 'volunteer', groups: ['TDP 10'], displayName: 'Trần Văn Minh', userId: null, createdBy: 'sup-1', createdAt: '2026-08-01T00:00:00Z', expiresAt: '2026-08-02T00:00:00Z' };

function server(pending: unknown[] = []) {
  return fakeConsoleServer({
    'GET /api/v1/enrolments': () => jsonResponse({ enrolments: pending }),
    'GET /api/v1/users': () => jsonResponse({ users: [member({}), member({ id: 'u2', groups: ['TDP 10'] })] }),
    'POST /api/v1/enrolments': () => jsonResponse({ id: 'e2', token: 'A'.repeat(43), url: URL, expiresAt: '2026-08-02T00:00:00Z' }, 201),
    'DELETE /api/v1/enrolments/e1': () => jsonResponse(null, 204),
  });
}

describe('Enrol', () => {
  it('creates an enrolment with the chosen role, groups and name, and shows its QR code and link', async () => {
    const user = userEvent.setup();
    const s = server();
    await renderScreen(<Enrol http={s.http} />, makeSupervisorStore());
    await user.type(screen.getByRole('textbox', { name: 'Họ và tên' }), 'Nguyễn Thị Lan');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Vai trò' }), 'Tổ phản ứng nhanh');
    await user.click(await screen.findByRole('checkbox', { name: 'TDP 10' }));
    await user.click(screen.getByRole('button', { name: 'Tạo đường dẫn đăng ký' }));

    const link = await screen.findByRole('region', { name: 'Đường dẫn đăng ký cho Nguyễn Thị Lan' });
    expect(s.calls.find((c) => c.method === 'POST')?.body).toEqual({ role: 'responder', groups: ['TDP 10'], displayName: 'Nguyễn Thị Lan' });
    const qr = await within(link).findByRole('img', { name: 'Mã QR của đường dẫn đăng ký cho Nguyễn Thị Lan' });
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(within(link).getByRole('link', { name: URL })).toHaveAttribute('href', URL);
    expect(within(link).getByRole('button', { name: 'Sao chép đường dẫn' })).toBeInTheDocument();
  });

  it('adds a group the team does not have yet', async () => {
    const user = userEvent.setup();
    const s = server();
    await renderScreen(<Enrol http={s.http} />, makeSupervisorStore());
    await user.type(screen.getByRole('textbox', { name: 'Họ và tên' }), 'Minh');
    await user.type(screen.getByRole('textbox', { name: 'Thêm tổ' }), 'TDP 28');
    await user.click(screen.getByRole('button', { name: 'Thêm' }));
    expect(screen.getByRole('checkbox', { name: 'TDP 28' })).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Tạo đường dẫn đăng ký' }));
    await waitFor(() => expect(s.calls.find((c) => c.method === 'POST')?.body).toMatchObject({ groups: ['TDP 28'] }));
  });

  it('lists pending links and cancels one', async () => {
    const user = userEvent.setup();
    const s = server([pendingRow]);
    await renderScreen(<Enrol http={s.http} />, makeSupervisorStore());
    await user.click(await screen.findByRole('button', { name: 'Hủy đường dẫn của Trần Văn Minh' }));
    await waitFor(() => expect(s.calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/enrolments/e1')).toBe(true));
    await waitFor(() => expect(s.calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/enrolments')).toHaveLength(2));
  });

  it('says when the server refuses', async () => {
    const user = userEvent.setup();
    const s = fakeConsoleServer({
      'GET /api/v1/enrolments': () => jsonResponse({ enrolments: [] }),
      'GET /api/v1/users': () => jsonResponse({ users: [] }),
      'POST /api/v1/enrolments': () => jsonResponse({ error: { code: 'invalid_request', message: 'x' } }, 400),
    });
    await renderScreen(<Enrol http={s.http} />, makeSupervisorStore());
    await user.type(screen.getByRole('textbox', { name: 'Họ và tên' }), 'Minh');
    await user.click(screen.getByRole('button', { name: 'Tạo đường dẫn đăng ký' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Một số thông tin không hợp lệ');
  });

  it('has no axe violations, with a link shown', async () => {
    const user = userEvent.setup();
    const s = server([pendingRow]);
    await renderScreen(<Enrol http={s.http} />, makeSupervisorStore());
    await user.type(screen.getByRole('textbox', { name: 'Họ và tên' }), 'Minh');
    await user.click(screen.getByRole('button', { name: 'Tạo đường dẫn đăng ký' }));
    await screen.findByRole('img', { name: /Mã QR/ });
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  it('is for supervisors only', async () => {
    const s = server();
    await renderScreen(<Enrol http={s.http} />, makeStore());
    expect(screen.getByText('Trang này dành cho người phụ trách phường.')).toBeInTheDocument();
  });
});
