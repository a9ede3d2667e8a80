import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { VisitForm } from './VisitForm';
import { visitDraftKey } from './visitDraft';
import { renderScreen, seedHousehold, seedPerson, storeForTest } from './testUtils';
import { loadDraft } from '../db/meta';
import type { Store } from '../db/StoreContext';

/** A near-poor household with one elderly person living alone. */
async function seed(store: Store) {
  const h = await seedHousehold(store, { address: { houseNumber: '3', street: 'Hàng Bông' }, headName: 'Phạm Văn Đức', povertyStatus: 'near_poor' });
  const p = await seedPerson(store, h.id, { fullName: 'Phạm Văn Đức', birthYear: 1950, flags: { disability: false, livesAlone: true } });
  return { householdId: h.id, personId: p.id };
}

describe('VisitForm', () => {

  it('restores its draft from IndexedDB after an unmount (reload, crash)', async () => {
    const store = storeForTest();
    const { householdId } = await seed(store);
    const user = userEvent.setup();
    const first = await renderScreen(<VisitForm householdId={householdId} />, store);
    const person = await screen.findByRole('region', { name: 'Phạm Văn Đức' });
    await user.click(within(within(person).getByRole('group', { name: 'VNeID' })).getByRole('button', { name: /Đã cài đặt/ }));
    await user.click(screen.getByRole('button', { name: 'Cần hỗ trợ lại' }));
    await user.type(screen.getByLabelText('Ghi chú'), 'Hẹn chiều mai');
    await expect.poll(async () => (await loadDraft<{ notes: string }>(store.db, visitDraftKey(householdId)))?.notes).toBe('Hẹn chiều mai');
    first.unmount();

    await renderScreen(<VisitForm householdId={householdId} />, store);
    expect(await screen.findByText('Đã khôi phục bản nháp chưa lưu của lượt thăm này.')).toBeInTheDocument();
    const again = screen.getByRole('region', { name: 'Phạm Văn Đức' });
    expect(within(within(again).getByRole('group', { name: 'VNeID' })).getByRole('button', { name: /Đã cài đặt/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByRole('button', { name: 'Cần hỗ trợ lại' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByLabelText('Ghi chú')).toHaveValue('Hẹn chiều mai');
    expect(await store.db.visits.count()).toBe(0);
  });

  it('asks why a step is blocked and saves the blocker, then clears the draft', async () => {
    const store = storeForTest();
    const { householdId, personId } = await seed(store);
    const user = userEvent.setup();
    await renderScreen(<VisitForm householdId={householdId} />, store);
    const vneid = within(await screen.findByRole('region', { name: 'Phạm Văn Đức' })).getByRole('group', { name: 'VNeID' });
    const level2 = within(vneid).getByRole('button', { name: /Định danh điện tử mức 2/ });
    await user.click(level2); // done
    await user.click(level2); // blocked
    expect(level2).toHaveAttribute('aria-pressed', 'mixed');

    await user.click(screen.getByRole('button', { name: 'Lưu lượt thăm' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Vui lòng sửa các ô được đánh dấu');
    expect(within(vneid).getByText('Vui lòng chọn lý do bị vướng.')).toBeInTheDocument();
    expect(await store.db.visits.count()).toBe(0);

    await user.selectOptions(within(vneid).getByLabelText(/Vướng ở bước/), 'Điện thoại không đọc được chip căn cước (NFC)');
    await user.click(screen.getByRole('button', { name: 'Lưu lượt thăm' }));
    await expect.poll(() => store.db.visits.count()).toBe(1);
    const person = await store.db.people.get(personId);
    expect(person!.platforms.vneid.steps.level2).toEqual({ status: 'blocked', blocker: 'nfc_unreadable' });
    await expect.poll(() => loadDraft(store.db, visitDraftKey(householdId))).toBeUndefined();
    expect(await screen.findByText('Đã lưu lượt thăm.')).toBeInTheDocument();
  });

  it('records an escalation with its reason and detail', async () => {
    const store = storeForTest();
    const { householdId } = await seed(store);
    const user = userEvent.setup();
    await renderScreen(<VisitForm householdId={householdId} />, store);
    await user.click(await screen.findByRole('button', { name: 'Chuyển tổ phản ứng nhanh' }));
    await user.selectOptions(screen.getByLabelText(/Lý do chuyển/), 'Vướng xác thực danh tính');
    await user.type(screen.getByLabelText('Mô tả vấn đề'), 'Ảnh chân dung không khớp');
    await user.click(screen.getByRole('button', { name: 'Lưu lượt thăm' }));
    await expect.poll(() => store.db.visits.count()).toBe(1);
    const [v] = await store.db.visits.toArray();
    expect(v!.escalate).toEqual({ reason: 'identity_verification', detail: 'Ảnh chân dung không khớp' });
    expect(v!.people).toEqual([]);
  });
});
