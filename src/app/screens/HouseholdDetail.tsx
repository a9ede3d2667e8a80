// One household: address, head, priority, its people and their progress, the
// visit history (newest first) and the actions a volunteer needs at the door.
import { useTranslation } from 'react-i18next';
import { useHousehold } from '../db/hooks';
import { href, paths } from '../router';
import { isElderly } from '../../shared/priority';
import { PriorityBadges } from '../components/PriorityBadges';
import { PlatformProgress } from '../components/PlatformProgress';
import { VisitSummary } from '../components/VisitSummary';
import { BottomLink } from '../components/BottomLink';
import { Loading, NotFound } from '../components/Loading';
import { formatAddress } from '../components/address';
import './HouseholdDetail.css';

export function HouseholdDetail({ id }: { id: string }) {
  const { t } = useTranslation(['screens', 'common']);
  const detail = useHousehold(id);
  if (detail === undefined) return <Loading />;
  if (detail === null || detail.household.deleted) return <NotFound />;
  const { household, people, visits, reasons } = detail;
  const year = new Date().getFullYear();

  return (
    <section className="screen">
      <h1>{formatAddress(t, household.address)}</h1>
      <PriorityBadges reasons={reasons} />
      <dl className="facts">
        <dt>{t('common:fields.group')}</dt>
        <dd>{household.group}</dd>
        {household.consent.given ? (
          <>
            <dt>{t('common:fields.headName')}</dt>
            <dd>{household.headName}</dd>
            {household.phone && (
              <>
                <dt>{t('common:fields.phone')}</dt>
                <dd>
                  <a href={`tel:${household.phone}`}>{household.phone}</a>
                </dd>
              </>
            )}
            <dt>{t('common:fields.povertyStatus')}</dt>
            <dd>{t(`common:poverty.${household.povertyStatus}`)}</dd>
            {household.notes && (
              <>
                <dt>{t('common:fields.notes')}</dt>
                <dd>{household.notes}</dd>
              </>
            )}
          </>
        ) : (
          <>
            <dt>{t('common:consent')}</dt>
            <dd>{t('common:addressOnly')}</dd>
          </>
        )}
      </dl>
      <a className="button secondary" href={href(paths.householdEdit(id))}>
        {t('household.edit')}
      </a>

      <h2>{t('household.people')}</h2>
      {people.length === 0 ? (
        <p className="empty">{t('household.noPeople')}</p>
      ) : (
        <ul className="rows">
          {people.map((p) => (
            <li key={p.id} className="row">
              <a className="row-link" href={href(paths.person(p.id))}>
                <span className="row-title">
                  {p.fullName}
                  {p.birthYear !== undefined && (
                    <span className="muted">
                      {' '}
                      · {t('common:bornIn', { year: p.birthYear })}
                      {isElderly(p.birthYear, year) ? ` (${t('common:age', { age: year - p.birthYear })})` : ''}
                    </span>
                  )}
                </span>
                <PlatformProgress platforms={p.platforms} />
              </a>
            </li>
          ))}
        </ul>
      )}
      {household.consent.given ? (
        <a className="button secondary" href={href(paths.personNew(id))}>
          {t('household.addPerson')}
        </a>
      ) : (
        <p className="notice">{t('household.consentNeededForPeople')}</p>
      )}

      <h2>{t('household.history')}</h2>
      {visits.length === 0 ? (
        <p className="empty">{t('household.noVisits')}</p>
      ) : (
        <ol className="history" aria-label={t('household.history')}>
          {visits.map((v) => (
            <li key={v.id}>
              <VisitSummary visit={v} people={people} />
            </li>
          ))}
        </ol>
      )}

      <BottomLink path={paths.visit(id)} label={t('household.recordVisit')} sticky />
    </section>
  );
}
