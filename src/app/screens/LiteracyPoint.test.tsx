import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LiteracyPoint } from './LiteracyPoint';
import { renderScreen, storeForTest } from './testUtils';
import { getMeta, META_KEYS } from '../db/meta';

describe('LiteracyPoint', () => {
  it('remembers the point, records an anonymous walk-in with no household and resets for the next', async () => {
    const store = storeForTest();
    const user = userEvent.setup();
    await renderScreen(<LiteracyPoint />, store);

    await user.type(await screen.findByLabelText(/Tên điểm/), 'Nhà văn hoá TDP 5');
    await user.click(screen.getByRole('button', { name: 'Bắt đầu trực tại điểm này' }));
    expect(await screen.findByText('Đang trực tại: Nhà văn hoá TDP 5')).toBeInTheDocument();
    expect(await getMeta(store.db, META_KEYS.literacyPoint)).toBe('Nhà văn hoá TDP 5');

    await user.click(await screen.findByRole('button', { name: 'Ẩn danh' }));
    expect(screen.queryByLabelText('Họ và tên')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Năm sinh'), '1948');
    expect(screen.getByText('Người cao tuổi')).toBeInTheDocument();
    await user.click(screen.getByLabelText('Thuộc hộ nghèo hoặc cận nghèo'));
    await user.click(within(screen.getByRole('group', { name: 'VNeID' })).getByRole('button', { name: /Đã cài đặt/ }));
    await user.click(within(screen.getByRole('group', { name: 'VNeID' })).getByRole('button', { name: /Tự làm được/ }));
    await user.type(screen.getByLabelText('Dịch vụ công đã nộp trực tuyến'), 'Đăng ký tạm trú');
    await user.click(screen.getByRole('button', { name: 'Lưu và tiếp người sau' }));

    await expect.poll(() => store.db.visits.count()).toBe(1);
    const [v] = await store.db.visits.toArray();
    expect(v).toMatchObject({
      channel: 'literacy_point',
      literacyPointId: 'Nhà văn hoá TDP 5',
      outcome: 'helped',
      services: ['Đăng ký tạm trú'],
      people: [
        {
          walkInBirthYear: 1948,
          walkInFlags: { disability: false, poorHousehold: true },
          steps: [{ platform: 'vneid', step: 'installed', status: 'done' }],
          independent: ['vneid'],
        },
      ],
    });
    expect(v!.householdId).toBeUndefined();
    expect(v!.people[0]!.walkInName).toBeUndefined();

    // Ready for the next person.
    expect(await screen.findByText('Đã lưu. Sẵn sàng cho người tiếp theo.')).toBeInTheDocument();
    expect(await screen.findByLabelText('Họ và tên')).toHaveValue('');
    expect(screen.getByLabelText('Năm sinh')).toHaveValue('');
    expect(within(screen.getByRole('group', { name: 'VNeID' })).getByRole('button', { name: /Đã cài đặt/ })).toHaveAttribute('aria-pressed', 'false');
    expect(await screen.findByText('Hôm nay đã hỗ trợ 1 người tại điểm này.')).toBeInTheDocument();
  });
});
