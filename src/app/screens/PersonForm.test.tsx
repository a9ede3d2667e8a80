import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { PersonForm } from './PersonForm';
import { renderScreen, seedHousehold, storeForTest } from './testUtils';

describe('PersonForm', () => {
  it('rejects an empty name and a birth year of 1800 with localised messages, writing nothing', async () => {
    const store = storeForTest();
    const h = await seedHousehold(store, { address: { houseNumber: '4', street: 'Hàng Bông' }, headName: 'Hoàng Văn Minh', povertyStatus: 'poor' });
    const before = await store.db.outbox.count();
    const user = userEvent.setup();
    await renderScreen(<PersonForm householdId={h.id} />, store);
    await user.type(await screen.findByLabelText('Năm sinh'), '1800');
    await user.click(screen.getByRole('button', { name: 'Lưu thành viên' }));
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    expect(screen.getByLabelText(/Họ và tên/)).toHaveAccessibleDescription('Vui lòng nhập thông tin này.');
    expect(screen.getByLabelText('Năm sinh')).toHaveAccessibleDescription(expect.stringContaining('Năm sinh phải là một năm từ 1900'));
    expect(await store.db.people.count()).toBe(0);
    expect(await store.db.outbox.count()).toBe(before);
  });
});
