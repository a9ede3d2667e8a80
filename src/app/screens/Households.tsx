// Households of one residential group: priority first, then never visited,
// then the rest (the order comes from the query). Only the rows near the
// screen are in the DOM (VirtualList), so a group of thousands opens at once.
import { useTranslation } from 'react-i18next';
import { useHouseholdsByGroup } from '../db/hooks';
import { href, navigate, paths } from '../router';
import { GroupPicker, useCurrentGroup } from '../components/GroupPicker';
import { PriorityBadges } from '../components/PriorityBadges';
import { LastVisit } from '../components/LastVisit';
import { BottomLink } from '../components/BottomLink';
import { Loading } from '../components/Loading';
import { formatAddress } from '../components/address';
import { VirtualList } from '../components/VirtualList';

export function Households({ group: routeGroup }: { group?: string | undefined }) {
  const { t } = useTranslation(['screens', 'common']);
  const { group, groups } = useCurrentGroup(routeGroup);
  const items = useHouseholdsByGroup(group);

  return (
    <section className="screen">
      <h1>{t('households.title')}</h1>
      {groups === undefined ? (
        <Loading />
      ) : groups.length === 0 && !group ? (
        <p className="empty">{t('households.noGroups')}</p>
      ) : (
        <GroupPicker group={group} groups={groups} onChange={(g) => navigate(paths.households(g), { replace: true })} />
      )}

      {items === undefined ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="empty">{t('households.empty')}</p>
      ) : (
        <VirtualList
          items={items}
          label={t('households.listLabel', { group })}
          getKey={(i) => i.household.id}
          itemClassName="row"
          renderItem={({ household, reasons, lastVisit, peopleCount }) => (
            <a className="row-link" href={href(paths.household(household.id))}>
              <span className="row-title">{formatAddress(t, household.address, { street: false })}</span>
              <span className="row-main">
                {household.consent.given ? household.headName : t('common:addressOnly')}
                {peopleCount > 0 && <span className="muted"> · {t('households.people', { count: peopleCount })}</span>}
              </span>
              <PriorityBadges reasons={reasons} />
              <LastVisit visit={lastVisit} />
            </a>
          )}
        />
      )}

      <BottomLink path={paths.householdNew(group)} label={t('households.add')} />
    </section>
  );
}
