// Factories with overrides, shared by tests. Realistic Vietnamese data.
import type { HouseholdInput, PersonInput } from '../../src/app/db/repo';
import { GoCuaDB } from '../../src/app/db/database';

export const actor = { userId: 'vol-1', wardCode: 'CUANAM' };

let n = 0;
export function freshDb(prefix = 'test'): GoCuaDB {
  n++;
  return new GoCuaDB(`gocua-${prefix}-${n}-${Math.random().toString(36).slice(2)}`);
}

export function householdInput(over: Partial<HouseholdInput> = {}): HouseholdInput {
  return {
    group: 'TDP 5',
    address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' },
    headName: 'Nguyễn Văn An',
    phone: '0912 345 678',
    povertyStatus: 'none',
    consentGiven: true,
    ...over,
  };
}

export function personInput(over: Partial<PersonInput> = {}): PersonInput {
  return {
    fullName: 'Trần Thị Đào',
    birthYear: 1954,
    flags: { disability: false, livesAlone: false },
    ...over,
  };
}
