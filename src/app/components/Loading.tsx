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
