// The routed screen for the current hash. Each screen gets its parameters from
// the route; `key` remounts a form when its record changes so state never leaks
// between households.
//
// Home, the household list and a household are in the first chunk: they are
// what opens the app and finds a door in two taps. The other screens are split
// into their own chunks (all precached by the service worker, so they work
// offline) and preloaded once the first screen is idle, which keeps the JS the
// first screen waits for inside its budget without slowing later taps.
// The console is the exception: volunteers never download it.
import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { href, paths, type Route } from './router';
import { Home } from './screens/Home';
import { Households } from './screens/Households';
import { HouseholdDetail } from './screens/HouseholdDetail';
import { Loading, NotFound } from './components/Loading';
import { loadLazyNamespaces } from './i18n';
import { runWhenIdle } from './idle';

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

// The console (#/console/...) is deliberately NOT in `loaders`: preloadScreens
// would fetch it on every volunteer's phone. Every console page comes from ONE
// module, ./screens/console/index.ts, so they share one chunk (kept out of the
// service worker's precache too, see vite.config.ts), downloaded only when an
// organiser opens the console. Its texts (locales/*/supervisor.json) travel
// with it. Not precached, so opened for the first time with no network the
// chunk cannot load: ConsoleUnavailable says so instead of losing the app.
export const loadConsole = () => Promise.all([import('./screens/console'), loadLazyNamespaces()]).then(([m]) => m);
type ConsoleModule = typeof import('./screens/console');
const consolePage = <K extends 'ConsoleDashboard' | 'AttentionPage' | 'DoorsPage' | 'ExportsPage' | 'ConsoleNotFound' | 'Cases' | 'Team' | 'Enrol' | 'City'>(name: K) =>
  lazy(() =>
    loadConsole().then(
      (m) => ({ default: m[name] }),
      // Any props are ignored: the page could not load.
      () => ({ default: ConsoleUnavailable as ConsoleModule[K] }),
    ),
  );
const ConsoleDashboard = consolePage('ConsoleDashboard');
const AttentionPage = consolePage('AttentionPage');
const DoorsPage = consolePage('DoorsPage');
const ExportsPage = consolePage('ExportsPage');
const ConsoleNotFound = consolePage('ConsoleNotFound');
const ConsoleCases = consolePage('Cases');
const Team = consolePage('Team');
const Enrol = consolePage('Enrol');
const City = consolePage('City');

export function ConsoleUnavailable() {
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

/** What a volunteer sees at a console address: a polite notice, from the first bundle (the console chunk is never fetched). */
export function ConsoleOnly() {
  const { t } = useTranslation('common');
  return (
    <section className="screen">
      <h1>{t('consoleOnly.title')}</h1>
      <p>{t('consoleOnly.body')}</p>
      <a className="button" href={href(paths.home())}>
        {t('consoleOnly.home')}
      </a>
    </section>
  );
}

/**
 * Fetches every split screen in the background (from the precache when offline),
 * one per idle moment after `delayMs` (idle.ts says why). Returns a cancel function.
 */
export function preloadScreens(delayMs = 0): () => void {
  return runWhenIdle(Object.values(loaders), delayMs);
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
    case 'consoleDashboard':
      return <ConsoleDashboard filters={route.filters} ward={route.ward} />;
    case 'consoleAttention':
      return <AttentionPage />;
    case 'consoleDoors':
      return <DoorsPage group={route.group} lane={route.lane} />;
    case 'consoleExports':
      return <ExportsPage />;
    case 'consoleNotFound':
      return <ConsoleNotFound />;
    case 'consoleCases':
      return <ConsoleCases status={route.status} reason={route.reason} />;
    case 'consoleTeam':
      return <Team />;
    case 'consoleEnrol':
      return <Enrol />;
    case 'consoleCity':
      return <City />;
    case 'enrol':
      return null; // Root.tsx shows the redeem page outside the signed-in shell
    case 'setup':
      return null; // Root shows the setup page itself, outside the signed-in shell
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
