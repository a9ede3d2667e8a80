// Shared set-up for screen tests: a fresh per-test database, the Vietnamese
// locale and the store context, with a factory for the volunteer.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { GoCuaDB } from '../db/database';
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
