// The dashboard's filtered activity, each part a section under its h3:
// targets, visits per day and the visit funnel (chart beside its table),
// volunteers, literacy points. Every figure is text; bars are decoration.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivityReport } from '../../../shared/console';
import { formatDate, formatNumber } from '../../i18n';
import { percentOf } from '../supervisor/ReportSections';
import { FunnelChart, FunnelTable, VisitsPerDayChart, VisitsPerDayTable } from './Charts';

function useFormat() {
  const { t, i18n } = useTranslation(['supervisor', 'common']);
  return { t, lang: i18n.language, n: (x: number) => formatNumber(x, i18n.language) };
}

function Part({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="report-section console-part">
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

/** Progress towards a target: the bar is decoration, the text says it all. */
function Progress({ value, target }: { value: number; target: number | null }) {
  const { t, n } = useFormat();
  if (target === null) return <span className="muted">{t('activity.targets.noTarget', { n: n(value) })}</span>;
  const pct = percentOf(value, target);
  return (
    <span className="console-progress">
      <span className="bar" aria-hidden="true">
        <span className="bar-fill" style={{ width: `${pct}%` }} />
      </span>
      <span>{t('activity.targets.ofTarget', { n: n(value), target: n(target), percent: n(pct) })}</span>
    </span>
  );
}

export function TargetsPart({ targets }: { targets: ActivityReport['targets'] }) {
  const { t, n } = useFormat();
  return (
    <Part id="activity-targets" title={t('activity.targets.title')}>
      <p className="console-goal">
        <strong>{t('activity.targets.independent')}</strong> <Progress value={targets.independent.people} target={targets.independent.target} />
      </p>
      {targets.groups.length === 0 ? (
        <p className="empty">{t('activity.targets.empty')}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="activity-targets" tabIndex={0}>
          <table className="data-table console-table" aria-labelledby="activity-targets">
            <thead>
              <tr>
                <th scope="col">{t('activity.targets.group')}</th>
                <th scope="col">{t('activity.targets.reached')}</th>
                <th scope="col">{t('activity.targets.households')}</th>
              </tr>
            </thead>
            <tbody>
              {targets.groups.map((g) => (
                <tr key={g.group}>
                  <th scope="row">{g.name && g.name !== g.group ? `${g.group} · ${g.name}` : g.group}</th>
                  <td>
                    <Progress value={g.reached} target={g.targetHouseholds} />
                  </td>
                  <td>{n(g.households)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Part>
  );
}

export function DaysPart({ days }: { days: ActivityReport['visitsPerDay'] }) {
  const { t } = useFormat();
  return (
    <Part id="activity-days" title={t('activity.days.title')}>
      {days.length === 0 ? (
        <p className="empty">{t('activity.days.empty')}</p>
      ) : (
        <div className="console-chart-pair">
          <VisitsPerDayChart days={days} />
          <VisitsPerDayTable days={days} labelledBy="activity-days" />
        </div>
      )}
    </Part>
  );
}

export function FunnelPart({ funnel }: { funnel: ActivityReport['funnel'] }) {
  const { t } = useFormat();
  return (
    <Part id="activity-funnel" title={t('activity.funnel.title')}>
      <p className="hint">{t('activity.funnel.intro')}</p>
      <div className="console-chart-pair">
        <FunnelChart funnel={funnel} />
        <FunnelTable funnel={funnel} labelledBy="activity-funnel" />
      </div>
    </Part>
  );
}

export function VolunteersPart({ volunteers, now }: { volunteers: ActivityReport['volunteers']; now: number }) {
  const { t, n, lang } = useFormat();
  const WEEK = 7 * 86_400_000;
  return (
    <Part id="activity-volunteers" title={t('activity.volunteers.title')}>
      {volunteers.length === 0 ? (
        <p className="empty">{t('activity.volunteers.empty')}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="activity-volunteers" tabIndex={0}>
          <table className="data-table console-table" aria-labelledby="activity-volunteers">
            <thead>
              <tr>
                {(['name', 'visits', 'households', 'peopleHelped', 'lastSync'] as const).map((k) => (
                  <th key={k} scope="col">
                    {t(`activity.volunteers.${k}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {volunteers.map((v) => {
                const stale = v.lastSyncAt === null || now - Date.parse(v.lastSyncAt) > WEEK;
                return (
                  <tr key={v.userId}>
                    <th scope="row">{v.displayName ?? v.userId}</th>
                    <td>{n(v.visits)}</td>
                    <td>{n(v.households)}</td>
                    <td>{n(v.peopleHelped)}</td>
                    <td className={stale ? 'is-blocked' : undefined}>
                      {v.lastSyncAt ? formatDate(v.lastSyncAt, lang, { dateStyle: 'short', timeStyle: 'short' }) : t('activity.volunteers.never')}
                      {stale && <> · {t('activity.volunteers.stale')}</>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Part>
  );
}

export function PointsPart({ points }: { points: ActivityReport['literacyPoints'] }) {
  const { t, n } = useFormat();
  return (
    <Part id="activity-points" title={t('activity.points.title')}>
      {points.length === 0 ? (
        <p className="empty">{t('activity.points.empty')}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="activity-points" tabIndex={0}>
          <table className="data-table console-table" aria-labelledby="activity-points">
            <thead>
              <tr>
                {(['point', 'walkIns', 'people', 'services', 'independent'] as const).map((k) => (
                  <th key={k} scope="col">
                    {t(`activity.points.${k}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.literacyPoint}>
                  <th scope="row">{p.literacyPoint || t('activity.points.unnamed')}</th>
                  <td>{n(p.walkIns)}</td>
                  <td>{n(p.people)}</td>
                  <td>{n(p.services)}</td>
                  <td>{n(p.independent)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Part>
  );
}
