// The routed screen for the current hash. Each screen gets its parameters from
// the route; `key` remounts a form when its record changes so state never leaks
// between households.
import type { Route } from './router';
import { Home } from './screens/Home';
import { Households } from './screens/Households';
import { HouseholdForm } from './screens/HouseholdForm';
import { HouseholdDetail } from './screens/HouseholdDetail';
import { PersonForm } from './screens/PersonForm';
import { PersonDetail } from './screens/PersonDetail';
import { VisitForm } from './screens/VisitForm';
import { FollowUps } from './screens/FollowUps';
import { Coverage } from './screens/Coverage';
import { LiteracyPoint } from './screens/LiteracyPoint';
import { Search } from './screens/Search';
import { NotFound } from './components/Loading';

export function App({ route }: { route: Route }) {
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
    case 'notFound':
      return <NotFound />;
  }
}
