// Home: what happened today, what is waiting, and the fastest way to a new visit.
// This is its data (read through db/hooks); HomeView.tsx draws it, and draws it
// without data too, for the first paint before the data layer has loaded.
import { useTranslation } from 'react-i18next';
import { useFollowUpsDue, usePendingCount, useTodayVisits } from '../db/hooks';
import { useStore } from '../db/StoreContext';
import { formatDate } from '../i18n';
import { href, paths } from '../router';
import { HouseholdLabel } from '../components/HouseholdLabel';
import type { Visit } from '../../shared/schemas';
import { HomeView } from './HomeView';

function VisitRow({ visit }: { visit: Visit }) {
  const { t, i18n } = useTranslation(['screens', 'common']);
  const time = formatDate(visit.at, i18n.language, { timeStyle: 'short' });
  const walkIn = visit.people[0];
  const who = visit.householdId ? (
    <HouseholdLabel id={visit.householdId} />
  ) : (
    <span>
      {walkIn?.walkInName || t('common:anonymous')} · {visit.literacyPointId}
    </span>
  );
  const content = (
    <>
      <span className="row-time">{time}</span>
      <span className="row-main">{who}</span>
      <span className={`outcome outcome-${visit.outcome}`}>{t(`common:outcomes.${visit.outcome}`)}</span>
    </>
  );
  return (
    <li className="row">
      {visit.householdId ? (
        <a className="row-link" href={href(paths.household(visit.householdId))}>
          {content}
        </a>
      ) : (
        <div className="row-link">{content}</div>
      )}
    </li>
  );
}

export function Home() {
  const { user } = useStore();
  const visits = useTodayVisits();
  const pending = usePendingCount();
  const due = useFollowUpsDue();
  return (
    <HomeView
      user={user}
      pending={pending}
      due={due}
      today={
        visits === undefined ? undefined : visits.map((v) => <VisitRow key={v.id} visit={v} />)
      }
    />
  );
}
