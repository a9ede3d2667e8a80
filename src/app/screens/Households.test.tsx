// The households list of a big group is virtualised: only a window of rows is
// in the DOM, each says its place in the whole list, and the order is the
// query's (priority, then never visited, then the rest).
import { describe, expect, it } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import { Households } from './Households';
import { Search } from './Search';
import { renderScreen, storeForTest } from './testUtils';
import { putRecords } from '../db/records';
import { householdsByGroup } from '../db/queries';
import { createHouseholdRecord, createVisitRecord } from '../../../tests/factories/records';
import type { Household } from '../../shared/schemas';

const N = 2_500;

/** 2,500 households of TDP 5: every 10th near-poor (priority), every 3rd visited once. */
function group(): { households: Household[]; visits: ReturnType<typeof createVisitRecord>[] } {
  const households = Array.from({ length: N }, (_, i) =>
    createHouseholdRecord({
      group: 'TDP 5',
      headName: `Chủ hộ ${i}`,
      povertyStatus: i % 10 === 0 ? 'near_poor' : 'none',
      address: { houseNumber: String(i + 1), lane: `Ngõ ${1 + (i % 40)}`, street: 'Hàng Bông' },
    }),
  );
  const visits = households.filter((_, i) => i % 3 === 0).map((h) => createVisitRecord(h.id, { at: '2026-08-01T09:00:00.000Z' }));
  return { households, visits };
}

async function scrollTo(y: number) {
  await act(async () => {
    window.scrollY = y;
    window.dispatchEvent(new Event('scroll'));
    await new Promise((r) => setTimeout(r, 50));
  });
}

describe('a group of 2,500 households', () => {
  it('draws only a window of rows, in the query order, each with its place in the whole list', async () => {
    const store = storeForTest();
    const { households, visits } = group();
    await putRecords(store.db, 'household', households);
    await putRecords(store.db, 'visit', visits);
    const expected = (await householdsByGroup(store.db, 'TDP 5')).map((i) => i.household.id);
    expect(expected).toHaveLength(N);

    await renderScreen(<Households group="TDP 5" />, store);
    const list = await screen.findByRole('list', { name: /TDP 5/ });
    // The list's own rows (a row's badges are a list of their own).
    const rows = () => [...list.querySelectorAll<HTMLElement>(':scope > [role="listitem"]')];
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(60);
    for (const row of rows()) expect(row).toHaveAttribute('aria-setsize', String(N));

    // The first rows are the query's first rows: near-poor (priority) households, by address.
    const idOf = (row: HTMLElement) => row.querySelector('a.row-link')!.getAttribute('href')!.split('/').pop();
    expect(rows().map(idOf)).toEqual(expected.slice(0, rows().length));
    expect(rows()[0]).toHaveAttribute('aria-posinset', '1');
    expect(within(rows()[0]!).getByText(/cận nghèo/i)).toBeInTheDocument();

    // Scrolled far down, another window: still the query's order, still few rows.
    await scrollTo(88 * 2_000);
    const later = rows();
    expect(later.length).toBeLessThan(60);
    const first = Number(later[0]!.getAttribute('aria-posinset'));
    expect(first).toBeGreaterThan(1_900);
    expect(later.map(idOf)).toEqual(expected.slice(first - 1, first - 1 + later.length));
    await scrollTo(0);
  });

  it('search results are a virtual list too', async () => {
    const store = storeForTest();
    await putRecords(store.db, 'household', group().households);
    await renderScreen(<Search q="hang bong" />, store);
    const list = await screen.findByRole('list', { name: 'Kết quả tìm kiếm' });
    const rows = [...list.querySelectorAll<HTMLElement>(':scope > [role="listitem"]')];
    expect(rows.length).toBeLessThan(60);
    const total = Number(rows[0]!.getAttribute('aria-setsize'));
    expect(total).toBeGreaterThan(rows.length);
  });
});
