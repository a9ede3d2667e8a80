// The session gate: sign-in when nobody is signed in on this device, otherwise
// the app for the signed-in user, with their own database and sync engine.
import { lazy, Suspense, useMemo } from 'react';
import type { Workbox } from 'workbox-window';
import { AppShell } from './AppShell';
import { userDb } from './db/database';
import { SessionProvider, useSession, useSyncStatus } from './session/SessionContext';
import { LoginScreen } from './session/LoginScreen';
import { SyncStatusBar } from './sync/SyncStatusBar';
import { ReloadPrompt } from './pwa/ReloadPrompt';
import { InstallPrompt } from './pwa/InstallPrompt';
import { useRoute } from './router';
import type { SyncEngine } from './sync/engine';
import type { UserProfile } from '../shared/schemas';
import { loadLazyNamespaces } from './i18n';
import './chrome.css';

const SyncScreen = lazy(() => import('./sync/SyncScreen').then((m) => ({ default: m.SyncScreen })));
// Its own small chunk: only someone who scanned an enrolment QR code needs it.
const EnrolRedeem = lazy(() =>
  Promise.all([import('./screens/EnrolRedeem'), loadLazyNamespaces(['enrol'])]).then(([m]) => ({ default: m.EnrolRedeem })),
);
// First run only: its own chunk, never in anyone's first download.
const Setup = lazy(() => import('./screens/Setup').then((m) => ({ default: m.Setup })));

function SignedIn({ user, engine, workbox }: { user: UserProfile; engine: SyncEngine; workbox: Workbox | undefined }) {
  const status = useSyncStatus(engine);
  const store = useMemo(() => ({ db: userDb(user.id), actor: { userId: user.id, wardCode: user.wardCode }, user }), [user]);
  return (
    <AppShell
      store={store}
      statusBar={<SyncStatusBar engine={engine} />}
      syncScreen={<SyncScreen engine={engine} />}
      banners={
        <>
          <ReloadPrompt workbox={workbox} />
          {status.needsSignIn && (
            <div className="banner banner-warn">
              <LoginScreen reason="expired" />
            </div>
          )}
          <InstallPrompt />
        </>
      }
    />
  );
}

function Gate({ workbox }: { workbox: Workbox | undefined }) {
  const { session, adopt } = useSession();
  const route = useRoute();
  if (session.status === 'loading') return null;
  if (route.name === 'setup')
    return (
      <main className="login-page">
        <Suspense fallback={null}>
          <Setup token={route.token} onSignedIn={adopt} />
        </Suspense>
      </main>
    );
  // Whoever is (or is not) signed in on this phone: the link is for a new account.
  // The same element in both states, so its "done" step survives the sign-in it causes.
  if (route.name === 'enrol') {
    return (
      <Suspense fallback={null}>
        <EnrolRedeem key={route.token} token={route.token} />
      </Suspense>
    );
  }
  if (session.status === 'signed_out')
    return (
      <main className="login-page">
        <ReloadPrompt workbox={workbox} />
        <LoginScreen />
        <InstallPrompt />
      </main>
    );
  return <SignedIn key={session.user.id} user={session.user} engine={session.engine} workbox={workbox} />;
}

export function Root({ workbox }: { workbox: Workbox | undefined }) {
  return (
    <SessionProvider>
      <Gate workbox={workbox} />
    </SessionProvider>
  );
}
