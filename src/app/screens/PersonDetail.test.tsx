import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { PersonDetail } from './PersonDetail';
import { renderScreen, seedHousehold, seedPerson, storeForTest } from './testUtils';

describe('PersonDetail', () => {
  it('cycles a step with one tap each and asks for the blocker before saving "blocked"', async () => {
    const store = storeForTest();
    const h = await seedHousehold(store, { address: { houseNumber: '5', street: 'Phố Huế' }, headName: 'Vũ Thị Lan' });
    const { id } = await seedPerson(store, h.id, { fullName: 'Vũ Thị Lan', birthYear: 1980, flags: { disability: true, livesAlone: false } });
    const user = userEvent.setup();
    await renderScreen(<PersonDetail id={id} />, store);

    expect(await screen.findByText('Người khuyết tật')).toBeInTheDocument();
    const ihanoi = screen.getByRole('group', { name: 'iHanoi' });
    const installed = () => within(ihanoi).getByRole('button', { name: /Đã cài đặt/ });
    const stored = async () => (await store.db.people.get(id))!.platforms.ihanoi.steps.installed;

    await user.click(installed());
    await expect.poll(stored).toEqual({ status: 'done' });

    await user.click(installed());
    expect(installed()).toHaveAttribute('aria-pressed', 'mixed');
    expect(await stored()).toEqual({ status: 'done' }); // not saved until a reason is chosen
    await user.selectOptions(within(ihanoi).getByLabelText(/Vướng ở bước/), 'SIM không chính chủ, không nhận được OTP');
    await expect.poll(stored).toEqual({ status: 'blocked', blocker: 'sim_not_own_name' });

    await user.click(installed());
    await expect.poll(stored).toEqual({ status: 'not_started' });

    const alone = within(ihanoi).getByRole('button', { name: /Tự làm được/ });
    await user.click(alone);
    await expect.poll(async () => (await store.db.people.get(id))!.platforms.ihanoi.independent).toBe(true);
    await waitFor(() =>
      expect(within(screen.getByRole('group', { name: 'iHanoi' })).getByRole('button', { name: /Tự làm được/ })).toHaveAttribute(
        'aria-pressed',
        'true',
      ),
    );
  });

  it('keeps every tap when several steps are tapped in quick succession', async () => {
    const store = storeForTest();
    const h = await seedHousehold(store, { address: { houseNumber: '8', street: 'Phố Huế' }, headName: 'Đỗ Văn Nam' });
    const p = await seedPerson(store, h.id, { fullName: 'Đỗ Văn Nam' });
    await renderScreen(<PersonDetail id={p.id} />, store);
    const vneid = await screen.findByRole('group', { name: 'VNeID' });
    // Synchronous clicks: no awaiting between taps, as with a fast thumb.
    fireEvent.click(within(vneid).getByRole('button', { name: /Đã cài đặt/ }));
    fireEvent.click(within(vneid).getByRole('button', { name: /Đã đăng ký tài khoản/ }));
    fireEvent.click(within(vneid).getByRole('button', { name: /Tự làm được/ }));
    await expect
      .poll(async () => (await store.db.people.get(p.id))!.platforms.vneid)
      .toMatchObject({ steps: { installed: { status: 'done' }, registered: { status: 'done' } }, independent: true });
  });
});
