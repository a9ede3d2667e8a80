// The signed-in app with its data: the user's own database (Dexie), the sync
// status pill and the routed screens. Root imports this chunk right after the
// first paint and draws the same frame (AppFrame) until it has loaded.
import { lazy, useMemo, type ReactNode } from 'react';
import { AppShell } from './AppShell';
import { userDb } from './db/database';
import { SyncStatusBar } from './sync/SyncStatusBar';
import { Loading } from './components/Loading';
import type { SyncEngine } from './sync/engine';
import type { UserProfile } from '../shared/schemas';

const SyncScreen = lazy(() => import('./sync/SyncScreen').then((m) => ({ default: m.SyncScreen })));

export function SignedIn({
  user,
  engine,
  banners,
}: {
  user: UserProfile;
  /** Undefined until the engine's chunk has loaded (SessionContext). */
  engine: SyncEngine | undefined;
  banners: ReactNode;
}) {
  const store = useMemo(() => ({ db: userDb(user.id), actor: { userId: user.id, wardCode: user.wardCode }, user }), [user]);
  return (
    <AppShell
      store={store}
      statusBar={<SyncStatusBar engine={engine} />}
      syncScreen={engine ? <SyncScreen engine={engine} /> : <Loading />}
      banners={banners}
    />
  );
}
