// The parts of the ward dashboard, each a section under its own h2: visit
// totals, coverage per residential group, the per-platform funnel and the
// blockers. Every number goes through formatNumber; every bar has its number
// in text next to it, so nothing depends on seeing the bar.
import { href, paths } from '../../router';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportSummary } from '../../../shared/reports';
import { formatNumber } from '../../i18n';

type Coverage = ReportSummary['coverage'][number];
type Funnel = ReportSummary['funnel'][number];

/** Residential groups in natural order: TDP 5 before TDP 10. */
export const groupOrder = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });

/** Whole percent of part in whole (0 when whole is 0), clamped to 0–100. */
export function percentOf(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((part / whole) * 100)));
}

function useFormat() {
  const { t, i18n } = useTranslation(['supervisor', 'common']);
  const n = (x: number) => formatNumber(x, i18n.language);
  const pct = (x: number) => t('percent', { value: formatNumber(x, i18n.language) });
  return { t, n, pct };
}

/** A plain CSS bar; decorative, the caller prints the same figure as text. */
function Bar({ value, goal = false }: { value: number; goal?: boolean }) {
  return (
    <span className={`bar${goal ? ' bar-goal' : ''}`} aria-hidden="true">
      <span className="bar-fill" style={{ width: `${value}%` }} />
    </span>
  );
}

/** A table's head: one column heading per label. */
function ColumnHeadings({ labels }: { labels: string[] }) {
  return (
    <thead>
      <tr>
        {labels.map((label) => (
          <th key={label} scope="col">
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A dashboard section under its h2; `empty`, when given, is said instead of the content. */
function ReportSection({ id, title, empty, children }: { id: string; title: string; empty?: string | undefined; children: ReactNode }) {
  return (
    <section className="report-section">
      <h2 id={id}>{title}</h2>
      {empty === undefined ? children : <p className="empty">{empty}</p>}
    </section>
  );
}

export function VisitTotals({ visits }: { visits: ReportSummary['visits'] }) {
  const { t, n } = useFormat();
  const items = [
    ['total', visits.total],
    ['door', visits.door],
    ['literacyPoint', visits.literacyPoint],
    ['helped', visits.helped],
    ['escalations', visits.escalations],
  ] as const;
  return (
    <ReportSection id="report-visits" title={t('visits.title')}>
      <ul className="stats report-stats">
        {items.map(([key, value]) => (
          <li key={key} className={`report-stat-${key}`} data-testid={`visits-${key}`}>
            <span className="stat-number">{n(value)}</span>
            <span className="stat-label">{t(`visits.${key}`)}</span>
          </li>
        ))}
      </ul>
    </ReportSection>
  );
}

export function CoverageTable({ coverage }: { coverage: Coverage[] }) {
  const { t, n, pct } = useFormat();
  const rows = [...coverage].sort((a, b) => groupOrder.compare(a.group, b.group));
  const total = rows.reduce(
    (s, r) => ({
      households: s.households + r.households,
      visited: s.visited + r.visited,
      notHome: s.notHome + r.notHome,
      declined: s.declined + r.declined,
      unknocked: s.unknocked + r.unknocked,
      priorityPeople: s.priorityPeople + r.priorityPeople,
    }),
    { households: 0, visited: 0, notHome: 0, declined: 0, unknocked: 0, priorityPeople: 0 },
  );
  const cells = (r: typeof total) => {
    const share = percentOf(r.visited, r.households);
    return (
      <>
        <td className="share-cell">
          <Bar value={share} />
          <span className="share-text">{pct(share)}</span>
        </td>
        <td>{n(r.households)}</td>
        <td>{n(r.visited)}</td>
        <td>{n(r.notHome)}</td>
        <td>{n(r.declined)}</td>
        <td>{n(r.unknocked)}</td>
        <td>{n(r.priorityPeople)}</td>
      </>
    );
  };
  return (
    <ReportSection id="report-coverage" title={t('coverage.title')} empty={rows.length === 0 ? t('coverage.empty') : undefined}>
      <p className="hint scroll-hint">{t('coverage.scrollHint')}</p>
      {/* Scrolls inside itself on a phone; focusable so a keyboard can scroll it. */}
      <div className="table-scroll" role="region" aria-labelledby="report-coverage" tabIndex={0}>
        <table className="data-table coverage-table" aria-labelledby="report-coverage">
          {/* The share first after the group: on a phone it is what shows before any scrolling. */}
          <ColumnHeadings
            labels={['group', 'visitedShare', 'households', 'visited', 'notHome', 'declined', 'unknocked', 'priorityPeople'].map((k) => t(`coverage.${k}`))}
          />
          <tbody>
            {rows.map((r) => (
              <tr key={r.group}>
                <th scope="row">{r.group}</th>
                {cells(r)}
              </tr>
            ))}
          </tbody>
          {rows.length > 1 && (
            <tfoot>
              <tr>
                <th scope="row">{t('coverage.total')}</th>
                {cells(total)}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </ReportSection>
  );
}

function PlatformFunnel({ funnel }: { funnel: Funnel }) {
  const { t, n, pct } = useFormat();
  const id = `funnel-${funnel.platform}`;
  const share = percentOf(funnel.independent, funnel.people);
  return (
    <section className="funnel">
      <h3 id={id}>{t(`common:platforms.${funnel.platform}`)}</h3>
      <p className="muted">{t('funnel.people', { count: funnel.people, n: n(funnel.people) })}</p>
      <table className="data-table funnel-table" aria-labelledby={id}>
        <ColumnHeadings labels={[t('funnel.step'), t('funnel.done'), t('funnel.blocked')]} />
        <tbody>
          {funnel.steps.map((s) => (
            <tr key={s.step}>
              <th scope="row">{t(`common:steps.${funnel.platform}.${s.step}`, { defaultValue: s.step })}</th>
              <td>{n(s.done)}</td>
              <td className={s.blocked > 0 ? 'is-blocked' : undefined}>{n(s.blocked)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="funnel-goal">
        <span className="goal-label">{t('funnel.independent')}</span>
        <strong className="goal-figure">
          {t('funnel.independentOf', { done: n(funnel.independent), total: n(funnel.people), percent: pct(share) })}
        </strong>
        <Bar value={share} goal />
      </div>
    </section>
  );
}

export function FunnelSection({ funnel }: { funnel: Funnel[] }) {
  const { t } = useFormat();
  return (
    <ReportSection id="report-funnel" title={t('funnel.title')} empty={funnel.length === 0 ? t('funnel.empty') : undefined}>
      <p className="hint">{t('funnel.intro')}</p>
      {funnel.map((f) => (
        <PlatformFunnel key={f.platform} funnel={f} />
      ))}
    </ReportSection>
  );
}

export function BlockerRanking({ blockers }: { blockers: ReportSummary['blockers'] }) {
  const { t, n } = useFormat();
  const ranked = blockers.filter((b) => b.count > 0).sort((a, b) => b.count - a.count);
  return (
    <ReportSection id="report-blockers" title={t('blockers.title')} empty={ranked.length === 0 ? t('blockers.empty') : undefined}>
      <p className="hint">{t('blockers.intro')}</p>
      <ol className="blocker-rank" aria-labelledby="report-blockers">
        {ranked.map((b) => (
          <li key={`${b.platform}-${b.blocker}`}>
            <span className="blocker-name">{t(`common:blockers.${b.blocker}`)}</span>
            <span className="blocker-meta">
              <span className="muted">{t(`common:platforms.${b.platform}`)}</span>
              <strong>{t('blockers.count', { count: b.count, n: n(b.count) })}</strong>
            </span>
          </li>
        ))}
      </ol>
    </ReportSection>
  );
}

/** Escalation cases still waiting for the response team, per reason, with how long they have waited. */
export function OpenCases({ cases }: { cases: ReportSummary['cases'] }) {
  const { t, n } = useFormat();
  const waiting = cases.open + cases.inProgress;
  return (
    <ReportSection id="report-cases" title={t('openCases.title')} empty={waiting === 0 ? t('openCases.empty') : undefined}>
      <p data-testid="cases-summary">
        {t('openCases.summary', { open: n(cases.open), inProgress: n(cases.inProgress), days: n(cases.medianAgeDays ?? 0) })}
      </p>
      <table className="data-table" aria-labelledby="report-cases">
        <thead>
          <tr>
            <th scope="col">{t('openCases.reason')}</th>
            <th scope="col">{t('openCases.waiting')}</th>
            <th scope="col">{t('openCases.medianAge')}</th>
          </tr>
        </thead>
        <tbody>
          {cases.byReason.map((r) => (
            <tr key={r.reason}>
              <th scope="row">
                <a href={href(paths.consoleCases({ reason: r.reason }))}>{t(`common:escalation.${r.reason}`)}</a>
              </th>
              <td>{n(r.count)}</td>
              <td>{t('openCases.days', { count: r.medianAgeDays, n: n(r.medianAgeDays) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ReportSection>
  );
}
