// The response team's case queue: what a card shows, the filter kept in the
// URL, and taking and resolving a case written through the device's data layer
// (record + outbox), with the card saying it waits to sync.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../../shared/schemas';
import { storePulledPage } from '../../db/pulledPages';
import { navigate, paths, useRoute } from '../../router';
import { renderScreen, seedHousehold, storeForTest } from '../testUtils';
import { Cases } from './Cases';
import type { Store } from '../../db/StoreContext';

const responderStore = () =>
  storeForTest({
    actor: { userId: 'resp-1', wardCode: 'CUANAM' },
    user: { id: 'resp-1', username: 'tuan', displayName: 'Đỗ Minh Tuấn', role: 'responder', wardCode: 'CUANAM', groups: [] },
  });

let n = 0;
function aCase(over: Partial<Case> = {}): Case {
  n++;
  const id = `01900000-0000-5000-8000-${String(n).padStart(12, '0')}`;
  return {
    id, createdAt: '2026-08-01T02:00:00.000Z', updatedAt: '2026-08-01T02:00:00.000Z', deleted: false, wardCode: 'CUANAM',
    visitId: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`, group: 'TDP 5', reason: 'account_problem',
    detail: 'Tài khoản VNeID bị khoá', status: 'open', ...over,
  };
}

async function pulled(store: Store, cases: Case[]) {
  await storePulledPage(store.db, { changes: cases.map((c, i) => ({ entity: 'case' as const, id: c.id, record: c, version: i + 1 })), cursor: cases.length, hasMore: false }, 0);
}

function Routed() {
  const route = useRoute();
  return route.name === 'consoleCases' ? <Cases status={route.status} reason={route.reason} /> : null;
}

describe('case queue', () => {
  it('lists the cases with reason, status, place, detail and sync state', async () => {
    const store = responderStore();
    const h = await seedHousehold(store, { address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' } });
    await pulled(store, [aCase({ householdId: h.id, detail: '<b>Khoá</b> sau 5 lần' })]);
    navigate(paths.consoleCases());
    await renderScreen(<Routed />, store);
    const card = await screen.findByRole('listitem', { name: 'Sự cố tài khoản' });
    expect(within(card).getByText('Chưa tiếp nhận')).toBeInTheDocument();
    expect(within(card).getByText('Đã đồng bộ')).toBeInTheDocument();
    expect(within(card).getByRole('link', { name: /Hàng Bông/ })).toBeInTheDocument();
    // Rendered as text, never as markup.
    expect(within(card).getByText('<b>Khoá</b> sau 5 lần')).toBeInTheDocument();
  });

  it('keeps the filter in the URL and shows only the matching cases', async () => {
    const store = responderStore();
    await pulled(store, [aCase({ reason: 'technical' }), aCase({ status: 'in_progress', assigneeId: 'resp-2' }), aCase({ reason: 'technical', status: 'resolved', resolution: 'Xong', resolvedAt: '2026-08-02T02:00:00.000Z' })]);
    navigate(paths.consoleCases());
    await renderScreen(<Routed />, store);
    expect(await screen.findByText('3 ca')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Lý do' }), 'technical');
    expect(window.location.hash).toBe('#/console/cases?reason=technical');
    expect(await screen.findByText('2 ca')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Trạng thái' }), 'resolved');
    expect(window.location.hash).toBe('#/console/cases?status=resolved&reason=technical');
    expect(await screen.findByText('1 ca')).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'Lỗi kỹ thuật, ứng dụng không chạy' })).toHaveTextContent('Đã giải quyết');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Trạng thái' }), '');
    expect(window.location.hash).toBe('#/console/cases?reason=technical');
  });

  it('taking and resolving a case writes it with its outbox entries, and the card says it waits to sync', async () => {
    const store = responderStore();
    const c = aCase();
    await pulled(store, [c]);
    navigate(paths.consoleCases());
    await renderScreen(<Routed />, store);
    const card = await screen.findByRole('listitem', { name: 'Sự cố tài khoản' });
    await userEvent.click(within(card).getByRole('button', { name: 'Nhận ca này' }));
    await waitFor(() => expect(within(card).getByText('Đang xử lý')).toBeInTheDocument());
    expect(within(card).getByText('Bạn')).toBeInTheDocument();
    expect(within(card).getByText('Đang chờ đồng bộ')).toBeInTheDocument();

    // Resolving without saying how is refused on the device, with the field's message.
    await userEvent.click(within(card).getByRole('button', { name: 'Đánh dấu đã giải quyết' }));
    expect(await within(card).findByText('Vui lòng nhập thông tin này.')).toBeInTheDocument();
    await userEvent.type(within(card).getByRole('textbox', { name: /Đã giải quyết thế nào/ }), 'Đã mở khoá tại công an phường');
    await userEvent.click(within(card).getByRole('button', { name: 'Đánh dấu đã giải quyết' }));
    await waitFor(() => expect(within(card).getByText('Đã giải quyết')).toBeInTheDocument());

    const stored = await store.db.cases.get(c.id);
    expect(stored).toMatchObject({ status: 'resolved', assigneeId: 'resp-1', resolution: 'Đã mở khoá tại công an phường', resolvedAt: expect.any(String) });
    const queued = await store.db.outbox.toArray();
    expect(queued.map((e) => [e.entity, e.id, Object.keys(e.fields).sort()])).toEqual([
      ['case', c.id, ['assigneeId', 'status']],
      ['case', c.id, ['resolution', 'resolvedAt', 'status']],
    ]);
  });

  it('has no accessibility violations, every control named (axe; contrast is checked in the browser journeys)', async () => {
    const store = responderStore();
    const h = await seedHousehold(store);
    await pulled(store, [aCase({ householdId: h.id }), aCase({ status: 'resolved', resolution: 'Xong', resolvedAt: '2026-08-02T02:00:00.000Z' })]);
    navigate(paths.consoleCases());
    await renderScreen(<Routed />, store);
    expect(await screen.findAllByRole('listitem')).toHaveLength(2);
    const a11y = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(a11y.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    for (const control of [...screen.getAllByRole('button'), ...screen.getAllByRole('combobox'), ...screen.getAllByRole('textbox')]) {
      expect(control).toHaveAccessibleName();
    }
  });

  it('tells a volunteer the queue is not theirs', async () => {
    await renderScreen(<Cases />, storeForTest());
    expect(await screen.findByText('Chỉ tổ phản ứng nhanh và cán bộ phụ trách mới xử lý ca.')).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
