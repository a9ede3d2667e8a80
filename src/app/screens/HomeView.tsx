// Home as it looks, without reading anything: the first paint of a signed-in
// session draws it (Root) before the data layer's chunk has loaded, and Home.tsx
// draws it again with the numbers. Numbers not known yet show "…" in the
// same place, so nothing moves when they arrive.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n';
import { href, navigate, paths } from '../router';
import { SearchForm } from '../components/SearchForm';
import type { UserProfile } from '../../shared/schemas';
import './Home.css';

export interface HomeViewProps {
  user: Pick<UserProfile, 'role'>;
  /** Unsent changes; undefined while unknown. */
  pending?: number | undefined;
  /** Follow-ups due; undefined while unknown. */
  due?: number | undefined;
  /** Today's visits as list rows; undefined while unknown, empty for none. */
  today?: ReactNode[] | undefined;
}

export function HomeView({ user, pending, due, today }: HomeViewProps) {
  const { t, i18n } = useTranslation(['screens', 'common']);
  const lang = i18n.language;
  const [query, setQuery] = useState('');
  const [choosing, setChoosing] = useState(false);

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
      {today === undefined ? null : today.length === 0 ? (
        <p className="empty">{t('home.noVisitsToday')}</p>
      ) : (
        <ul className="rows">{today}</ul>
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
