// Shared set-up for screen tests: a fresh per-test database, the Vietnamese
// locale and the store context, with a factory for the volunteer and seeds
// written through the repo as that volunteer.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { onTestFinished } from 'vitest';
import { GoCuaDB } from '../db/database';
import { createHousehold, createPerson, type HouseholdInput, type PersonInput } from '../db/repo';
import type { Household, Person } from '../../shared/schemas';
import { createHouseholdInput, createPersonInput } from '../../../tests/factories/records';
import { StoreProvider, type Store } from '../db/StoreContext';
import { initI18n, loadLazyNamespaces } from '../i18n';
import { FlashRegion } from '../components/Flash';

export function makeStore(overrides: Partial<Store> = {}): Store {
  return {
    db: new GoCuaDB(`gocua-test-${Math.random().toString(36).slice(2)}`),
    actor: { userId: 'vol-1', wardCode: 'CUANAM' },
    user: { id: 'vol-1', username: 'lan', displayName: 'Lan', role: 'volunteer', wardCode: 'CUANAM', groups: ['TDP 5'] },
    ...overrides,
  };
}

/** A fresh store for the running test, closed and deleted once the test has finished. */
export function storeForTest(overrides: Partial<Store> = {}): Store {
  const store = makeStore(overrides);
  onTestFinished(() => disposeStore(store));
  return store;
}

/** A household saved on the device: createHouseholdInput's defaults, then the overrides. */
export async function seedHousehold(store: Store, overrides: Partial<HouseholdInput> = {}): Promise<Household> {
  const r = await createHousehold(store.db, store.actor, createHouseholdInput(overrides));
  if (!r.ok) throw new Error(`seed household: ${r.reason}`);
  return r.record;
}

/** A person of that household saved on the device: createPersonInput's defaults, then the overrides. */
export async function seedPerson(store: Store, householdId: string, overrides: Partial<PersonInput> = {}): Promise<Person> {
  const r = await createPerson(store.db, store.actor, householdId, createPersonInput(overrides));
  if (!r.ok) throw new Error(`seed person: ${r.reason}`);
  return r.record;
}

/** Phạm Thị Hoa, the CUANAM ward's supervisor. */
export const makeSupervisorStore = () =>
  makeStore({
    actor: { userId: 'sup-1', wardCode: 'CUANAM' },
    user: { id: 'sup-1', username: 'hoa', displayName: 'Phạm Thị Hoa', role: 'supervisor', wardCode: 'CUANAM', groups: [] },
  });

export async function renderScreen(ui: ReactElement, store: Store = makeStore()) {
  await initI18n('vi');
  await loadLazyNamespaces(); // e.g. the supervisor texts, which the app loads with their screen
  const result = render(
    <StoreProvider store={store}>
      {ui}
      <FlashRegion />
    </StoreProvider>,
  );
  return { ...result, store };
}

export async function disposeStore(store: Store) {
  store.db.close();
  await store.db.delete();
}
