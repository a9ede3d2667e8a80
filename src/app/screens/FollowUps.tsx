// What needs doing again, soonest first and priority first within a day:
// revisits and follow-up dates, escalations to the response team, blocked steps.
import { useTranslation } from 'react-i18next';
import { useFollowUps } from '../db/hooks';
import { localDate, type FollowUp } from '../db/queries';
import { formatDate } from '../i18n';
import { href, paths } from '../router';
import { Loading } from '../components/Loading';
import { formatAddress } from '../components/address';
import { VirtualList } from '../components/VirtualList';
import './FollowUps.css';

function Item({ item, today }: { item: FollowUp; today: string }) {
  const { t, i18n } = useTranslation(['screens', 'common']);
  const overdue = item.due < today;
  const walkIn = item.visit?.people[0];
  return (
    <div className={`row followup followup-${item.kind}${item.priority ? ' is-priority' : ''}`}>
      <div className="row-link">
        <span className="row-title">
          <span className={`kind kind-${item.kind}`}>{t(`followups.kind.${item.kind}`)}</span>
          {item.priority && <span className="badge badge-priority">{t('common:priority.label')}</span>}
        </span>
        <span className={overdue ? 'due overdue' : 'due'}>
          {item.due === today ? t('followups.today') : formatDate(item.due, i18n.language)}
          {overdue && ` · ${t('followups.overdue')}`}
        </span>
        {item.household ? (
          <a href={href(paths.household(item.household.id))}>
            {formatAddress(t, item.household.address)}
            {item.household.headName ? ` — ${item.household.headName}` : ''}
          </a>
        ) : (
          <span>
            {walkIn?.walkInName || t('common:anonymous')}
            {item.visit?.literacyPointId ? ` · ${item.visit.literacyPointId}` : ''}
          </span>
        )}
        {item.person && <a href={href(paths.person(item.person.id))}>{item.person.fullName}</a>}
        {item.blocked && (
          <ul className="blocked-list">
            {item.blocked.map((b) => (
              <li key={`${b.platform}.${b.step}`}>
                {t(`common:platformsShort.${b.platform}`)} · {t(`common:steps.${b.platform}.${b.step}`)}:{' '}
                {b.blocker ? t(`common:blockers.${b.blocker}`) : t('common:stepStatus.blocked')}
                {b.text ? ` (${b.text})` : ''}
              </li>
            ))}
          </ul>
        )}
        {item.visit?.escalate && (
          <p className="warning">
            {t(`common:escalation.${item.visit.escalate.reason}`)} — {item.visit.escalate.detail}
          </p>
        )}
        {item.case && (
          <p className={`case-status case-${item.case.status}`}>
            {t(`followups.caseStatus.${item.case.status}`)}
            {item.case.resolution ? ` · ${t('followups.caseResolution', { resolution: item.case.resolution })}` : ''}
          </p>
        )}
        {item.visit?.notes && <p className="muted">{item.visit.notes}</p>}
      </div>
    </div>
  );
}

export function FollowUps() {
  const { t } = useTranslation(['screens', 'common']);
  const items = useFollowUps();
  const today = localDate();
  return (
    <section className="screen">
      <h1>{t('followups.title')}</h1>
      {items === undefined ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="empty">{t('followups.empty')}</p>
      ) : (
        <VirtualList items={items} getKey={(item) => item.key} renderItem={(item) => <Item item={item} today={today} />} />
      )}
    </section>
  );
}
