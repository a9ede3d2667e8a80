// The volunteer's whole door-to-door flow through the real shell, router,
// screens and Dexie store (fake-indexeddb), in Vietnamese:
// register a household with consent → add two people (one aged 70) → record a
// visit (VNeID installed, iHanoi done alone) → priority, history and
// diacritic-free search all show it, and the outbox holds every change.
import { render, screen, within, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppShell } from '../src/app/AppShell';
import { GoCuaDB } from '../src/app/db/database';
import { initI18n } from '../src/app/i18n';
import { navigate } from '../src/app/router';
import type { Store } from '../src/app/db/StoreContext';

function makeStore(): Store {
  return {
    db: new GoCuaDB(`gocua-test-${Math.random().toString(36).slice(2)}`),
    actor: { userId: 'vol-1', wardCode: 'CUANAM' },
    user: { id: 'vol-1', username: 'lan', displayName: 'Lan', role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 5'] },
  };
}

describe('door-to-door flow', () => {
  let store: Store;
  beforeAll(async () => {
    await initI18n('vi');
  });
  beforeEach(() => {
    navigate('/', { replace: true });
    store = makeStore();
  });
  afterEach(async () => {
    store.db.close();
    await store.db.delete();
  });

  it('registers a household, adds two people, records a visit, then shows priority, history and search', async () => {
    const user = userEvent.setup();
    const year = new Date().getFullYear();
    render(<AppShell store={store} />);

    // Home → households of the volunteer's group → add.
    expect(await screen.findByRole('heading', { level: 1, name: 'Hôm nay' })).toBeInTheDocument();
    await user.click(within(screen.getByRole('navigation', { name: 'Điều hướng chính' })).getByRole('link', { name: /Hộ gia đình/ }));
    expect(await screen.findByLabelText('Tổ dân phố')).toHaveValue('TDP 5');
    await user.click(screen.getByRole('link', { name: 'Thêm hộ gia đình' }));

    // Consent first: no personal field before the question is answered.
    expect(await screen.findByRole('heading', { name: 'Thêm hộ gia đình' })).toBeInTheDocument();
    expect(screen.queryByLabelText(/Chủ hộ/)).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Đồng ý' }));
    expect(screen.getByLabelText(/Tổ dân phố/)).toHaveValue('TDP 5');
    await user.type(screen.getByLabelText(/Số nhà/), '12');
    await user.type(screen.getByLabelText('Ngõ'), '34');
    await user.type(screen.getByLabelText(/Đường\/Phố/), 'Hàng Bông');
    await user.type(screen.getByLabelText(/Chủ hộ/), 'Nguyễn Văn Hùng');
    await user.type(screen.getByLabelText('Số điện thoại'), '+84 912 345 678');
    await user.click(screen.getByRole('button', { name: 'Lưu hộ gia đình' }));

    // Household detail → add the two people.
    expect(await screen.findByRole('heading', { level: 1, name: /Số 12, ngõ 34, Hàng Bông/ })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '0912345678' })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Thêm thành viên' }));
    await user.type(await screen.findByLabelText(/Họ và tên/), 'Nguyễn Văn Hùng');
    await user.type(screen.getByLabelText('Năm sinh'), String(year - 70));
    await user.click(screen.getByRole('button', { name: 'Lưu thành viên' }));

    await user.click(await screen.findByRole('link', { name: 'Thêm thành viên' }));
    await user.type(await screen.findByLabelText(/Họ và tên/), 'Trần Thị Mai');
    await user.type(screen.getByLabelText('Năm sinh'), '1995');
    await user.click(screen.getByRole('button', { name: 'Lưu thành viên' }));
    expect(await screen.findByRole('link', { name: /Trần Thị Mai/ })).toBeInTheDocument();

    // Record the visit: VNeID installed and iHanoi done alone for the elder.
    await user.click(screen.getByRole('link', { name: 'Ghi lượt thăm' }));
    const elder = await screen.findByRole('region', { name: 'Nguyễn Văn Hùng' });
    expect(within(elder).getByText('Người cao tuổi')).toBeInTheDocument();
    const vneid = within(elder).getByRole('group', { name: 'VNeID' });
    const installed = within(vneid).getByRole('button', { name: /Đã cài đặt/ });
    await user.click(installed);
    expect(installed).toHaveAttribute('aria-pressed', 'true');
    const alone = within(within(elder).getByRole('group', { name: 'iHanoi' })).getByRole('button', { name: /Tự làm được/ });
    await user.click(alone);
    expect(alone).toHaveAttribute('aria-pressed', 'true');
    // Outcome defaults to "helped": saving is one more tap.
    expect(screen.getByRole('button', { name: 'Đã hỗ trợ' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByRole('button', { name: 'Lưu lượt thăm' }));

    // Back on the household: priority badge, the visit in the history, the save announced.
    const history = await screen.findByRole('list', { name: 'Lịch sử thăm hộ' });
    expect(within(history).getAllByRole('listitem')).toHaveLength(1);
    expect(within(history).getByText('Đã hỗ trợ')).toBeInTheDocument();
    expect(within(history).getByText(/VNeID Đã cài đặt/)).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Ưu tiên' })).getByText('Người cao tuổi')).toBeInTheDocument();
    expect(screen.getByText('Đã lưu lượt thăm.')).toBeInTheDocument();

    // The person's checklist was brought up to date by the visit.
    await user.click(screen.getByRole('link', { name: /Nguyễn Văn Hùng/ }));
    const vneidNow = await screen.findByRole('group', { name: 'VNeID' });
    expect(within(vneidNow).getByRole('button', { name: /Đã cài đặt/ })).toHaveAttribute('aria-pressed', 'true');
    expect(within(screen.getByRole('group', { name: 'iHanoi' })).getByRole('button', { name: /Tự làm được/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    // Search without diacritics from Home.
    await user.click(within(screen.getByRole('navigation')).getByRole('link', { name: /Trang chủ/ }));
    await user.type(await screen.findByRole('searchbox'), 'nguyen van');
    await user.click(screen.getByRole('button', { name: 'Tìm' }));
    const results = await screen.findByRole('list', { name: 'Kết quả tìm kiếm' });
    expect(within(results).getByRole('link', { name: /Hàng Bông/ })).toBeInTheDocument();
    expect(within(results).getByText(/Thành viên khớp: Nguyễn Văn Hùng/)).toBeInTheDocument();

    // The household list now ranks it as priority with its last visit.
    await user.click(within(screen.getByRole('navigation')).getByRole('link', { name: /Hộ gia đình/ }));
    const rows = await screen.findByRole('list', { name: 'Các hộ của TDP 5' });
    expect(within(rows).getByText('Người cao tuổi')).toBeInTheDocument();
    expect(within(rows).getByText(/Đã hỗ trợ/)).toBeInTheDocument();

    // Everything is on the device and queued for sync.
    const { db } = store;
    expect(await db.visits.count()).toBe(1);
    expect(await db.households.count()).toBe(1);
    expect(await db.people.count()).toBe(2);
    const outbox = await db.outbox.orderBy('seq').toArray();
    expect(outbox.map((e) => `${e.entity}:${e.op}`)).toEqual([
      'household:upsert',
      'person:upsert',
      'person:upsert',
      'visit:upsert',
      'person:upsert',
    ]);
    const visit = (await db.visits.toArray())[0]!;
    expect(visit.channel).toBe('door');
    expect(visit.outcome).toBe('helped');
    expect(visit.people).toHaveLength(1);
    expect(visit.people[0]!.steps).toEqual([{ platform: 'vneid', step: 'installed', status: 'done' }]);
    expect(visit.people[0]!.independent).toEqual(['ihanoi']);
    // The update entry carries only the changed checklists.
    expect(outbox[4]!.id).toBe(visit.people[0]!.personId);
    expect(Object.keys(outbox[4]!.fields).sort()).toEqual(['platforms.ihanoi', 'platforms.vneid']);
    await waitFor(async () => expect(await db.meta.get('draft:visit:' + visit.householdId)).toBeUndefined());
  });
});
