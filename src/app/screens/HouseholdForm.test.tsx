import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HouseholdForm } from './HouseholdForm';
import { renderScreen, storeForTest } from './testUtils';
import { saveWard } from '../db/meta';

describe('HouseholdForm', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("picks the group from the ward's list (a volunteer: their own groups), with the ward's names, never by typing", async () => {
    const store = storeForTest();
    await saveWard(store.db, {
      code: 'CUANAM',
      name: 'Phường Cửa Nam',
      targetIndependent: null,
      createdAt: '2026-08-01T00:00:00.000Z',
      groups: [
        { code: 'TDP 4', name: 'Tổ dân phố số 4', targetHouseholds: null },
        { code: 'TDP 5', name: 'Tổ dân phố số 5', targetHouseholds: null },
      ],
    });
    const user = userEvent.setup();
    await renderScreen(<HouseholdForm group="TDP 5" />, store);
    await user.click(await screen.findByRole('button', { name: 'Đồng ý' }));
    const picker = screen.getByRole('combobox', { name: /Tổ dân phố/ });
    expect(picker).toHaveValue('TDP 5');
    expect(await screen.findByRole('option', { name: 'TDP 5 · Tổ dân phố số 5' })).toBeInTheDocument();
    // TDP 4 is the ward's, but not this volunteer's.
    expect(within(picker).getAllByRole('option').map((o) => o.textContent)).toEqual(['Chọn tổ dân phố', 'TDP 5 · Tổ dân phố số 5']);
    expect(screen.queryByRole('textbox', { name: /Tổ dân phố/ })).not.toBeInTheDocument();
  });

  it('asks for consent before showing any field', async () => {
    const store = storeForTest();
    await renderScreen(<HouseholdForm group="TDP 5" />, store);
    expect(await screen.findByRole('button', { name: 'Đồng ý' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Lưu hộ gia đình' })).toBeDisabled();
  });

  it('shows a localised error per field for an empty street and a bad phone, and writes nothing', async () => {
    const store = storeForTest();
    const user = userEvent.setup();
    await renderScreen(<HouseholdForm group="TDP 5" />, store);
    await user.click(await screen.findByRole('button', { name: 'Đồng ý' }));
    await user.type(screen.getByLabelText(/Số nhà/), '7');
    await user.type(screen.getByLabelText(/Chủ hộ/), 'Lê Thị Hoa');
    await user.type(screen.getByLabelText('Số điện thoại'), '12345');
    await user.click(screen.getByRole('button', { name: 'Lưu hộ gia đình' }));

    const street = screen.getByLabelText(/Đường\/Phố/);
    expect(street).toHaveAttribute('aria-invalid', 'true');
    expect(street).toHaveAccessibleDescription('Vui lòng nhập thông tin này.');
    const phone = screen.getByLabelText('Số điện thoại');
    expect(phone).toHaveAttribute('aria-invalid', 'true');
    expect(phone).toHaveAccessibleDescription(expect.stringContaining('Số điện thoại không hợp lệ'));
    expect(screen.getByLabelText(/Số nhà/)).not.toHaveAttribute('aria-invalid');
    expect(screen.getByRole('alert')).toHaveTextContent('Vui lòng sửa các ô được đánh dấu');
    expect(await store.db.households.count()).toBe(0);
    expect(await store.db.outbox.count()).toBe(0);
  });

  it('without consent keeps only the address', async () => {
    const store = storeForTest();
    const user = userEvent.setup();
    await renderScreen(<HouseholdForm group="TDP 5" />, store);
    await user.click(await screen.findByRole('button', { name: /Không đồng ý/ }));
    expect(screen.queryByLabelText(/Chủ hộ/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Số điện thoại')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText(/Số nhà/), '9');
    await user.type(screen.getByLabelText(/Đường\/Phố/), 'Hàng Bông');
    await user.click(screen.getByRole('button', { name: 'Lưu hộ gia đình' }));
    await expect.poll(() => store.db.households.count()).toBe(1);
    const [h] = await store.db.households.toArray();
    expect(h!.consent.given).toBe(false);
    expect(h!.headName).toBeUndefined();
    expect(h!.phone).toBeUndefined();
  });

  it('says the device is full on a quota error and keeps what was typed', async () => {
    const store = storeForTest();
    const user = userEvent.setup();
    vi.spyOn(store.db.outbox, 'add').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    await renderScreen(<HouseholdForm group="TDP 5" />, store);
    await user.click(await screen.findByRole('button', { name: 'Đồng ý' }));
    await user.type(screen.getByLabelText(/Số nhà/), '7');
    await user.type(screen.getByLabelText(/Đường\/Phố/), 'Hàng Bông');
    await user.type(screen.getByLabelText(/Chủ hộ/), 'Lê Thị Hoa');
    await user.click(screen.getByRole('button', { name: 'Lưu hộ gia đình' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Bộ nhớ máy đã đầy');
    expect(screen.getByLabelText(/Chủ hộ/)).toHaveValue('Lê Thị Hoa');
    vi.restoreAllMocks();
    expect(await store.db.households.count()).toBe(0);
  });
});
