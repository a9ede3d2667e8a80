// Gives screens the signed-in user's database and identity.
import { createContext, useContext, type ReactNode } from 'react';
import type { GoCuaDB } from './database';
import type { Actor } from './repo';
import type { UserProfile } from '../../shared/schemas';

export interface Store {
  db: GoCuaDB;
  actor: Actor;
  user: UserProfile;
}

const StoreContext = createContext<Store | null>(null);

export function StoreProvider({ store, children }: { store: Store; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside StoreProvider');
  return store;
}
