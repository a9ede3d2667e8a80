// Search households and people by name, phone or address. Diacritics are
// ignored by the data layer's word index: "nguyen van" finds "Nguyễn Văn".
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearch } from '../db/hooks';
import { href, navigate, paths } from '../router';
import { Loading } from '../components/Loading';
import { SearchForm } from '../components/SearchForm';
import { formatAddress } from '../components/address';
import { VirtualList } from '../components/VirtualList';

export function Search({ q }: { q: string }) {
  const { t } = useTranslation(['screens', 'common']);
  const [query, setQuery] = useState(q);
  const hits = useSearch(query);
  return (
    <section className="screen">
      <h1>{t('search.title')}</h1>
      <SearchForm query={query} onQuery={setQuery} onSubmit={(q) => navigate(paths.search(q), { replace: true })} />
      <div aria-live="polite">
        {query.trim() === '' ? (
          <p className="hint">{t('search.hint')}</p>
        ) : hits === undefined ? (
          <Loading />
        ) : hits.length === 0 ? (
          <p className="empty">{t('search.none')}</p>
        ) : (
          <>
            <p className="muted">{t('search.count', { count: hits.length })}</p>
            <VirtualList
              items={hits}
              label={t('search.results')}
              getKey={(h) => h.household.id}
              itemClassName="row"
              renderItem={({ household, people }) => (
                <a className="row-link" href={href(paths.household(household.id))}>
                  <span className="row-title">{formatAddress(t, household.address)}</span>
                  <span className="row-main">
                    {household.headName ?? t('common:addressOnly')} · {household.group}
                  </span>
                  {people.length > 0 && (
                    <span className="muted">
                      {t('search.matchedPeople')}: {people.map((p) => p.fullName).join(', ')}
                    </span>
                  )}
                </a>
              )}
            />
          </>
        )}
      </div>
    </section>
  );
}
