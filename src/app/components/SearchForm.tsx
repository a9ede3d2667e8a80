// The search box, on Home and on the search screen: one label, one field, the
// same words. Home shows a submit button (its query opens the search screen);
// the search screen has none, because its results follow the typing.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import './SearchForm.css';

export function SearchForm({
  query,
  onQuery,
  onSubmit,
  submitButton = false,
}: {
  query: string;
  onQuery: (query: string) => void;
  /** Called with the query trimmed. */
  onSubmit: (query: string) => void;
  submitButton?: boolean;
}) {
  const { t } = useTranslation('screens');
  const id = useId();
  const input = (
    <input
      id={id}
      type="search"
      inputMode="search"
      autoComplete="off"
      value={query}
      placeholder={t('search.placeholder')}
      onChange={(e) => onQuery(e.target.value)}
    />
  );
  return (
    <form
      className="search-form"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(query.trim());
      }}
    >
      <label htmlFor={id}>{t('search.label')}</label>
      {submitButton ? (
        <div className="input-row">
          {input}
          <button type="submit" className="button">
            {t('search.submit')}
          </button>
        </div>
      ) : (
        input
      )}
    </form>
  );
}
