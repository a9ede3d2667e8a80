import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { PersonForm } from './PersonForm';
import { disposeStore, makeStore, renderScreen } from './testUtils';
import { createHousehold } from '../db/repo';
import type { Store } from '../db/StoreContext';

describe('PersonForm', () => {
  let store: Store;
  afterEach(async () => {
    await disposeStore(store);
  });

  it('rejects an empty name and a birth year of 1800 with localised messages, writing nothing', async () => {
    store = makeStore();
    const h = await createHousehold(store.db, store.actor, {
      group: 'TDP 5',
      address: { houseNumber: '4', street: 'Hàng Bông' },
      headName: 'Hoàng Văn Minh',
      povertyStatus: 'poor',
      consentGiven: true,
    });
    if (!h.ok) throw new Error('seed');
    const before = await store.db.outbox.count();
    const user = userEvent.setup();
    await renderScreen(<PersonForm householdId={h.record.id} />, store);
    await user.type(await screen.findByLabelText('Năm sinh'), '1800');
    await user.click(screen.getByRole('button', { name: 'Lưu thành viên' }));
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    expect(screen.getByLabelText(/Họ và tên/)).toHaveAccessibleDescription('Vui lòng nhập thông tin này.');
    expect(screen.getByLabelText('Năm sinh')).toHaveAccessibleDescription(expect.stringContaining('Năm sinh phải là một năm từ 1900'));
    expect(await store.db.people.count()).toBe(0);
    expect(await store.db.outbox.count()).toBe(before);
  });
});
