import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function Loading() {
  const { t } = useTranslation('common');
  return (
    <p className="loading" role="status">
      {t('loading')}
    </p>
  );
}

export function NotFound() {
  const { t } = useTranslation('common');
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <a className="button" href="#/">
        {t('nav.home')}
      </a>
    </section>
  );
}

/** A record read through a hook: Loading while it is undefined, NotFound when it is null, else what children make of it. */
export function Loaded<T>({ record, children }: { record: T | null | undefined; children: (record: T) => ReactNode }) {
  if (record === undefined) return <Loading />;
  if (record === null) return <NotFound />;
  return children(record);
}
