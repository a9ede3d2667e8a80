// "Đi từng ngõ, gõ từng nhà": per lane of a residential group, how many doors
// are registered, visited, not home or declined, and which are still unknocked.
import { useTranslation } from 'react-i18next';
import { useCoverage } from '../db/hooks';
import { formatNumber } from '../i18n';
import { href, navigate, paths } from '../router';
import { GroupPicker, useCurrentGroup } from '../components/GroupPicker';
import { Loading } from '../components/Loading';
import { formatAddress, laneLabel } from '../components/address';
import { VirtualList } from '../components/VirtualList';
import './Coverage.css';

/** The counts shown for each lane, in order: label key, then the field of the lane's coverage. */
const LANE_STATS = [
  ['coverage.registered', 'registered'],
  ['coverage.visited', 'visited'],
  ['common:outcomes.not_home', 'notHome'],
  ['common:outcomes.declined', 'declined'],
] as const;

export function Coverage({ group: routeGroup }: { group?: string | undefined }) {
  const { t, i18n } = useTranslation(['screens', 'common']);
  const n = (x: number) => formatNumber(x, i18n.language);
  const { group, groups } = useCurrentGroup(routeGroup);
  const lanes = useCoverage(group);
  const total = (lanes ?? []).reduce(
    (acc, l) => ({ registered: acc.registered + l.registered, unknocked: acc.unknocked + l.unknocked.length }),
    { registered: 0, unknocked: 0 },
  );

  return (
    <section className="screen">
      <h1>{t('coverage.title')}</h1>
      {groups && <GroupPicker group={group} groups={groups} onChange={(g) => navigate(paths.coverage(g), { replace: true })} />}
      {lanes === undefined ? (
        <Loading />
      ) : lanes.length === 0 ? (
        <p className="empty">{t('households.empty')}</p>
      ) : (
        <>
          <p className="summary">{t('coverage.summary', { registered: n(total.registered), unknocked: n(total.unknocked) })}</p>
          <VirtualList
            className="lanes"
            label={t('coverage.title')}
            items={lanes}
            getKey={(lane) => lane.lane}
            estimateSize={240}
            overscan={3}
            renderItem={(lane) => (
              <section className="lane" aria-label={laneLabel(t, lane.lane || undefined)}>
                <h2>{laneLabel(t, lane.lane || undefined)}</h2>
                <dl className="lane-stats">
                  {LANE_STATS.map(([label, key]) => (
                    <div key={key}>
                      <dt>{t(label)}</dt>
                      <dd>{n(lane[key])}</dd>
                    </div>
                  ))}
                </dl>
                {lane.unknocked.length > 0 ? (
                  <>
                    <h3>{t('coverage.unknocked', { count: lane.unknocked.length })}</h3>
                    <ul className="door-list">
                      {lane.unknocked.map((h) => (
                        <li key={h.id}>
                          <a href={href(paths.household(h.id))}>{formatAddress(t, h.address, { street: false })}</a>
                        </li>
                      ))}
                    </ul>
                  </>
                ) : (
                  <p className="done">{t('coverage.allKnocked')}</p>
                )}
              </section>
            )}
          />
        </>
      )}
    </section>
  );
}
