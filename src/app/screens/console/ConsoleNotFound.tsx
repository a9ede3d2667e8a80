// A console address with no page in this build (a mistyped link, or a page
// another part of the console has not shipped yet).
import { useTranslation } from 'react-i18next';
import { href, paths } from '../../router';

export function ConsoleNotFound() {
  const { t } = useTranslation('supervisor');
  return (
    <section className="screen">
      <h1>{t('console.notFound.title')}</h1>
      <p>{t('console.notFound.body')}</p>
      <a className="button" href={href(paths.consoleDashboard())}>
        {t('console.notFound.back')}
      </a>
    </section>
  );
}
