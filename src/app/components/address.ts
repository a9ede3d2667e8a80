// How an address reads: "Số 12, ngõ 34, ngách 5, Hàng Bông". Volunteers type
// either "34" or "Ngõ 34" in the lane field; the word is added only when the
// value starts with a digit, so it is never doubled.
import type { Address } from '../../shared/schemas';

type T = (key: string, opts?: Record<string, unknown>) => string;

const startsWithDigit = (s: string) => /^\d/.test(s.trim());

export function laneLabel(t: T, lane: string | undefined): string {
  if (!lane) return t('common:address.noLane');
  return startsWithDigit(lane) ? t('common:address.laneN', { lane }) : lane;
}

export function formatAddress(t: T, a: Address, { street = true }: { street?: boolean } = {}): string {
  const parts = [startsWithDigit(a.houseNumber) ? t('common:address.houseN', { n: a.houseNumber }) : a.houseNumber];
  if (a.lane) parts.push(startsWithDigit(a.lane) ? t('common:address.laneN', { lane: a.lane }) : a.lane);
  if (a.subLane) parts.push(startsWithDigit(a.subLane) ? t('common:address.subLaneN', { subLane: a.subLane }) : a.subLane);
  if (street) parts.push(a.street);
  return parts.join(', ');
}
