// The session gate: sign-in when nobody is signed in on this device, otherwise
// the app for the signed-in user, with their own database and sync engine.
//
// The first paint needs neither Dexie, zod nor the sync engine: who is signed
// in is read with the bare IndexedDB API (db/deviceProfile.ts), and until the
// signed-in app's chunk (SignedIn.tsx: the data layer, the screens) has loaded,
// the same frame is drawn with Home's layout and no numbers yet.
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import type { Workbox } from 'workbox-window';
import { SessionProvider, useSession, useSyncStatus } from './session/SessionContext';
import { LoginScreen } from './session/LoginScreen';
import { ReloadPrompt } from './pwa/ReloadPrompt';
import { InstallPrompt } from './pwa/InstallPrompt';
import { Loading } from './components/Loading';
import { AppFrame } from './AppFrame';
import { HomeView } from './screens/HomeView';
import { isConsoleRoute, useRoute } from './router';
import type { SyncEngine } from './sync/engine';
import type { UserProfile } from '../shared/schemas';
import { loadLazyNamespaces } from './i18n';
import './chrome.css';

// Its own small chunk: only someone who scanned an enrolment QR code needs it.
const EnrolRedeem = lazy(() =>
  Promise.all([import('./screens/EnrolRedeem'), loadLazyNamespaces(['enrol'])]).then(([m]) => ({ default: m.EnrolRedeem })),
);
// First run only: its own chunk, never in anyone's first download.
const Setup = lazy(() => import('./screens/Setup').then((m) => ({ default: m.Setup })));
const SignedInApp = lazy(() => import('./SignedIn').then((m) => ({ default: m.SignedIn })));

// NOTICE_ORDER: the notices overlay the screen (.banners is fixed), but inside
// that overlay they stack, so a notice that appears above one already shown
// pushes it down, and that is a layout shift (Lighthouse counted 0.074 on the
// sign-in screen: the install offer, shown at load, pushed 148 px down by "ready
// for offline use", which comes once the service worker has precached). So the
// notices come in the order they appear: the install offer (the browser offers
// it at load), then what comes later (an expired session, "ready for offline
// use" on the first visit, "new version" after a deployment). A notice going
// away moves only the ones after it, and "ready for offline use", the one that
// goes by itself, is last.

/**
 * The frame and Home's layout, drawn until SignedIn.tsx has loaded. Organisers
 * land in the console (AppShell), so for them and at console addresses it
 * draws no field frame that would then be swapped for the console's.
 */
function FirstFrame({ user, banners }: { user: UserProfile; banners: ReactNode }) {
  const route = useRoute();
  if (user.role !== 'volunteer' || isConsoleRoute(route)) return <Loading />;
  return (
    <AppFrame route={route} banners={banners}>
      {route.name === 'home' ? <HomeView user={user} /> : <Loading />}
    </AppFrame>
  );
}

function SignedIn({ user, engine, workbox }: { user: UserProfile; engine: SyncEngine | undefined; workbox: Workbox | undefined }) {
  const status = useSyncStatus(engine);
  // Notices in the order they tend to appear (NOTICE_ORDER above).
  const banners = (
    <>
      <InstallPrompt />
      {status.needsSignIn && (
        <div className="banner banner-warn">
          <LoginScreen reason="expired" />
        </div>
      )}
      <ReloadPrompt workbox={workbox} />
    </>
  );
  return (
    <Suspense fallback={<FirstFrame user={user} banners={banners} />}>
      <SignedInApp user={user} engine={engine} banners={banners} />
    </Suspense>
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
        <LoginScreen />
        <div className="banners">
          <InstallPrompt />
          <ReloadPrompt workbox={workbox} />
        </div>
      </main>
    );
  return <SignedIn key={session.user.id} user={session.user} engine={session.engine} workbox={workbox} />;
}

/** The service worker's Workbox once registered (after first paint, see registerServiceWorker). */
function useWorkbox(registration: Promise<Workbox | undefined>): Workbox | undefined {
  const [workbox, setWorkbox] = useState<Workbox | undefined>();
  useEffect(() => {
    let cancelled = false;
    void registration.then((wb) => !cancelled && setWorkbox(wb), () => undefined);
    return () => {
      cancelled = true;
    };
  }, [registration]);
  return workbox;
}

export function Root({ registration }: { registration: Promise<Workbox | undefined> }) {
  const workbox = useWorkbox(registration);
  return (
    <SessionProvider>
      <Gate workbox={workbox} />
    </SessionProvider>
  );
}
