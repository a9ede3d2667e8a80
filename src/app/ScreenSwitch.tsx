// The routed screen for the current hash. Each screen gets its parameters from
// the route; `key` remounts a form when its record changes so state never leaks
// between households.
//
// Home, the household list and a household are in the first chunk: they are
// what opens the app and finds a door in two taps. The other screens are split
// into their own chunks (all precached by the service worker, so they work
// offline) and preloaded once the first screen is idle, which keeps the JS the
// first screen waits for inside its budget without slowing later taps.
// The supervisor dashboard is the exception: volunteers never download it.
import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Route } from './router';
import { Home } from './screens/Home';
import { Households } from './screens/Households';
import { HouseholdDetail } from './screens/HouseholdDetail';
import { Loading, NotFound } from './components/Loading';
import { loadLazyNamespaces } from './i18n';

const loaders = {
  householdForm: () => import('./screens/HouseholdForm'),
  personForm: () => import('./screens/PersonForm'),
  personDetail: () => import('./screens/PersonDetail'),
  visitForm: () => import('./screens/VisitForm'),
  followUps: () => import('./screens/FollowUps'),
  coverage: () => import('./screens/Coverage'),
  literacyPoint: () => import('./screens/LiteracyPoint'),
  search: () => import('./screens/Search'),
};

const HouseholdForm = lazy(() => loaders.householdForm().then((m) => ({ default: m.HouseholdForm })));
const PersonForm = lazy(() => loaders.personForm().then((m) => ({ default: m.PersonForm })));
const PersonDetail = lazy(() => loaders.personDetail().then((m) => ({ default: m.PersonDetail })));
const VisitForm = lazy(() => loaders.visitForm().then((m) => ({ default: m.VisitForm })));
const FollowUps = lazy(() => loaders.followUps().then((m) => ({ default: m.FollowUps })));
const Coverage = lazy(() => loaders.coverage().then((m) => ({ default: m.Coverage })));
const LiteracyPoint = lazy(() => loaders.literacyPoint().then((m) => ({ default: m.LiteracyPoint })));
const Search = lazy(() => loaders.search().then((m) => ({ default: m.Search })));

// The supervisor dashboard is deliberately NOT in `loaders`: preloadScreens
// would fetch it on every volunteer's phone. It is its own chunk (kept out of
// the service worker's precache too, see vite.config.ts), downloaded only when
// someone opens #/dashboard.
const Dashboard = lazy(() =>
  // Its texts (locales/*/supervisor.json) are not in the first bundle either.
  Promise.all([import('./screens/supervisor/Dashboard'), loadLazyNamespaces()]).then(
    ([m]) => ({ default: m.Dashboard }),
    // Not precached, so opened for the first time with no network the chunk
    // cannot load: say so instead of losing the whole app to the rejection.
    () => ({ default: DashboardUnavailable }),
  ),
);

function DashboardUnavailable() {
  // The supervisor namespace travels with the chunk that failed, so these words come from common.
  const { t } = useTranslation('common');
  return (
    <section className="screen dashboard">
      <h1>{t('dashboardUnavailable.title')}</h1>
      <div className="failure-box" role="alert">
        <p className="form-error">{t('dashboardUnavailable.offline')}</p>
        {/* React.lazy remembers the failure: only a reload tries the chunk again. */}
        <button type="button" className="button primary" onClick={() => window.location.reload()}>
          {t('dashboardUnavailable.retry')}
        </button>
      </div>
    </section>
  );
}

/** Fetches every split screen in the background (from the precache when offline). */
export function preloadScreens(): void {
  for (const load of Object.values(loaders)) void load().catch(() => undefined);
}

function Screen({ route, syncScreen }: { route: Route; syncScreen?: ReactNode }) {
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'households':
      return <Households group={route.group} />;
    case 'householdNew':
      return <HouseholdForm key="new" group={route.group} />;
    case 'householdEdit':
      return <HouseholdForm key={route.id} id={route.id} />;
    case 'household':
      return <HouseholdDetail key={route.id} id={route.id} />;
    case 'personNew':
      return <PersonForm key={`new-${route.householdId}`} householdId={route.householdId} />;
    case 'personEdit':
      return <PersonForm key={route.id} id={route.id} />;
    case 'person':
      return <PersonDetail key={route.id} id={route.id} />;
    case 'visit':
      return <VisitForm key={route.householdId} householdId={route.householdId} />;
    case 'followups':
      return <FollowUps />;
    case 'coverage':
      return <Coverage group={route.group} />;
    case 'point':
      return <LiteracyPoint />;
    case 'search':
      return <Search q={route.q} />;
    case 'sync':
      return syncScreen ?? <NotFound />;
    case 'dashboard':
      return <Dashboard />;
    case 'setup': // Root shows the setup page itself, outside the signed-in shell
    case 'notFound':
      return <NotFound />;
  }
}

export function ScreenSwitch({ route, syncScreen }: { route: Route; syncScreen?: ReactNode }) {
  return (
    <Suspense fallback={<Loading />}>
      <Screen route={route} syncScreen={syncScreen} />
    </Suspense>
  );
}
