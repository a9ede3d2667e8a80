// Record factories with overrides, shared by every test. Realistic Vietnamese data.
//
// Two shapes of the same things:
// - createHouseholdRecord / createPersonRecord / createVisitRecord: whole
//   records as the shared schemas define them, as a device syncs them and the
//   server stores them (ids, timestamps, wardCode, tombstone flag included).
// - createHouseholdInput / createPersonInput: what a screen hands to the
//   device's repo (src/app/db/repo.ts), which adds ids and timestamps itself.
// `actor` is the volunteer those inputs are written as; freshDb() is an empty
// device database with a unique name.
import type { HouseholdInput, PersonInput } from '../../src/app/db/repo';
import { GoCuaDB } from '../../src/app/db/database';
import { uuidv7 } from '../../src/shared/ids';
import { emptyPlatforms, type Household, type Person, type Visit } from '../../src/shared/schemas';

export const actor = { userId: 'vol-1', wardCode: 'CUANAM' };

let n = 0;
export function freshDb(prefix = 'test'): GoCuaDB {
  n++;
  return new GoCuaDB(`gocua-${prefix}-${n}-${Math.random().toString(36).slice(2)}`);
}

/** The fields every record shares, created and last updated at `at`. */
function recordBase(at: string) {
  return { id: uuidv7(), createdAt: at, updatedAt: at, deleted: false, wardCode: 'CUANAM' };
}

export function createHouseholdRecord(overrides: Partial<Household> = {}): Household {
  const at = new Date().toISOString();
  return {
    ...recordBase(at),
    group: 'TDP 1',
    address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' },
    headName: 'Trần Văn Minh',
    povertyStatus: 'none',
    consent: { given: true, at, by: 'vol-1' },
    ...overrides,
  };
}

export function createPersonRecord(householdId: string, overrides: Partial<Person> = {}): Person {
  return {
    ...recordBase(new Date().toISOString()),
    householdId,
    fullName: 'Nguyễn Thị Lan',
    birthYear: 1954,
    flags: { disability: false, livesAlone: true },
    platforms: emptyPlatforms(),
    ...overrides,
  };
}

export function createVisitRecord(householdId: string, overrides: Partial<Visit> = {}): Visit {
  const at = new Date().toISOString();
  return {
    ...recordBase(at),
    householdId,
    channel: 'door',
    at,
    volunteerId: 'vol-1',
    outcome: 'helped',
    people: [],
    services: [],
    ...overrides,
  };
}

export function createHouseholdInput(overrides: Partial<HouseholdInput> = {}): HouseholdInput {
  return {
    group: 'TDP 5',
    address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' },
    headName: 'Nguyễn Văn An',
    phone: '0912 345 678',
    povertyStatus: 'none',
    consentGiven: true,
    ...overrides,
  };
}

export function createPersonInput(overrides: Partial<PersonInput> = {}): PersonInput {
  return {
    fullName: 'Trần Thị Đào',
    birthYear: 1954,
    flags: { disability: false, livesAlone: false },
    ...overrides,
  };
}

// The old names, still imported by tests under src/ (outbox, repo, search,
// queries, SyncStatusBar), which this change could not edit. Remove them when
// those files import createHouseholdInput / createPersonInput.
