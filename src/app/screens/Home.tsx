// Home: what happened today, what is waiting, and the fastest way to a new visit.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFollowUps, usePendingCount, useTodayVisits } from '../db/hooks';
import { useStore } from '../db/StoreContext';
import { dueCount } from '../db/queries';
import { formatDate, formatNumber } from '../i18n';
import { href, navigate, paths } from '../router';
import { HouseholdLabel } from '../components/HouseholdLabel';
import { SearchForm } from '../components/SearchForm';
import type { Visit } from '../../shared/schemas';
import './Home.css';

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
  const { t, i18n } = useTranslation(['screens', 'common']);
  const lang = i18n.language;
  const { user } = useStore();
  const visits = useTodayVisits();
  const pending = usePendingCount();
  const followUps = useFollowUps();
  const [query, setQuery] = useState('');
  const [choosing, setChoosing] = useState(false);
  const due = followUps ? dueCount(followUps) : undefined;

  return (
    <section className="screen home">
      <h1>{t('home.title')}</h1>

      {user.role === 'supervisor' && (
        <a className="button big dashboard-link" href={href(paths.dashboard())}>
          {t('home.dashboard')}
        </a>
      )}

      <SearchForm
        query={query}
        onQuery={setQuery}
        submitButton
        onSubmit={(q) => {
          if (q) navigate(paths.search(q));
        }}
      />

      <ul className="stats">
        <li>
          <span className="stat-number">{pending === undefined ? '…' : formatNumber(pending, lang)}</span>
          <span className="stat-label">{t('home.pending')}</span>
        </li>
        <li>
          <a href={href(paths.followups())}>
            <span className="stat-number">{due === undefined ? '…' : formatNumber(due, lang)}</span>
            <span className="stat-label">{t('home.followUpsDue')}</span>
          </a>
        </li>
      </ul>

      <h2>{t('home.today')}</h2>
      {visits === undefined ? null : visits.length === 0 ? (
        <p className="empty">{t('home.noVisitsToday')}</p>
      ) : (
        <ul className="rows">
          {visits.map((v) => (
            <VisitRow key={v.id} visit={v} />
          ))}
        </ul>
      )}

      <div className="bottom-actions sticky">
        {choosing && (
          <div className="chooser" id="new-visit-choices">
            <a className="button secondary" href={href(paths.households())}>
              {t('home.visitHousehold')}
            </a>
            <a className="button secondary" href={href(paths.point())}>
              {t('home.visitWalkIn')}
            </a>
          </div>
        )}
        <button
          type="button"
          className="button primary big"
          aria-expanded={choosing}
          aria-controls="new-visit-choices"
          onClick={() => setChoosing((c) => !c)}
        >
          {t('home.newVisit')}
        </button>
      </div>
    </section>
  );
}
