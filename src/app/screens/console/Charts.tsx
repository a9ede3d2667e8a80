// The console's two charts, in plain SVG: the per-platform funnel of the
// filtered visits (walk-ins included) and visits per day. Each is an image
// with a title and a one-sentence description (its text alternative), and its
// data table sits next to it: the table is the accessible, exact version, the
// chart the quick look. Series differ by fill pattern (solid / hatched) and
// are named in a legend, never by colour alone; every bar has its number
// written beside it in the funnel.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivityReport } from '../../../shared/console';
import { formatDate, formatNumber } from '../../i18n';

type Funnel = ActivityReport['funnel'];
type Days = ActivityReport['visitsPerDay'];

/** An id usable in url(#…): useId's characters stripped. */
function useSvgId(prefix: string): string {
  return `${prefix}-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
}

function Hatch({ id }: { id: string }) {
  return (
    <pattern id={id} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" fill="#ffffff" />
      <line x1="0" y1="0" x2="0" y2="6" stroke="#8a4b00" strokeWidth="3" />
    </pattern>
  );
}

function Legend({ items }: { items: Array<{ label: string; swatch: 'solid' | 'hatched' }> }) {
  return (
    <ul className="console-legend">
      {items.map((i) => (
        <li key={i.label}>
          <span className={`console-swatch console-swatch-${i.swatch}`} aria-hidden="true" />
          {i.label}
        </li>
      ))}
    </ul>
  );
}

const ROW_H = 22;
const LABEL_W = 190;
const BAR_W = 330;

export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const { t, i18n } = useTranslation(['supervisor', 'common']);
  const n = (x: number) => formatNumber(x, i18n.language);
  const hatch = useSvgId('hatch');
  const titleId = useSvgId('funnel-title');
  const descId = useSvgId('funnel-desc');
  const max = Math.max(1, ...funnel.flatMap((p) => p.steps.map((s) => s.done + s.blocked)));
  const rows: Array<{ kind: 'platform'; label: string } | { kind: 'step'; label: string; done: number; blocked: number }> = [];
  for (const p of funnel) {
    rows.push({ kind: 'platform', label: t(`common:platforms.${p.platform}`) });
    for (const s of p.steps) rows.push({ kind: 'step', label: t(`common:steps.${p.platform}.${s.step}`, { defaultValue: s.step }), done: s.done, blocked: s.blocked });
  }
  const height = rows.length * ROW_H + 8;
  const people = funnel.reduce((sum, p) => sum + p.people, 0);
  const done = funnel.reduce((sum, p) => sum + p.steps.reduce((x, s) => x + s.done, 0), 0);
  const blocked = funnel.reduce((sum, p) => sum + p.steps.reduce((x, s) => x + s.blocked, 0), 0);
  return (
    <figure className="console-chart">
      <svg viewBox={`0 0 ${LABEL_W + BAR_W + 70} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`} className="console-chart-svg">
        <title id={titleId}>{t('activity.funnel.chartTitle')}</title>
        <desc id={descId}>{t('activity.funnel.chartDesc', { people: n(people), done: n(done), blocked: n(blocked) })}</desc>
        <defs>
          <Hatch id={hatch} />
        </defs>
        {rows.map((r, i) => {
          const y = i * ROW_H + 4;
          if (r.kind === 'platform')
            return (
              <text key={`p${i}`} x={0} y={y + 15} className="console-chart-heading">
                {r.label.length > 40 ? `${r.label.slice(0, 39)}…` : r.label}
              </text>
            );
          const wDone = (r.done / max) * BAR_W;
          const wBlocked = (r.blocked / max) * BAR_W;
          return (
            <g key={`s${i}`}>
              <text x={12} y={y + 15} className="console-chart-label">
                {r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label}
              </text>
              <rect x={LABEL_W} y={y + 3} width={wDone} height={ROW_H - 6} className="console-bar-solid" />
              <rect x={LABEL_W + wDone} y={y + 3} width={wBlocked} height={ROW_H - 6} fill={`url(#${hatch})`} stroke="#8a4b00" strokeWidth={wBlocked > 0 ? 1 : 0} />
              <text x={LABEL_W + wDone + wBlocked + 6} y={y + 15} className="console-chart-value">
                {r.blocked > 0 ? `${n(r.done)} + ${n(r.blocked)}` : n(r.done)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Legend items={[{ label: t('activity.funnel.done'), swatch: 'solid' }, { label: t('activity.funnel.blocked'), swatch: 'hatched' }]} />
      </figcaption>
    </figure>
  );
}

export function FunnelTable({ funnel, labelledBy }: { funnel: Funnel; labelledBy: string }) {
  const { t, i18n } = useTranslation(['supervisor', 'common']);
  const n = (x: number) => formatNumber(x, i18n.language);
  return (
    <div className="table-scroll" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      <table className="data-table console-table" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col">{t('activity.funnel.step')}</th>
            <th scope="col">{t('activity.funnel.done')}</th>
            <th scope="col">{t('activity.funnel.blocked')}</th>
          </tr>
        </thead>
        {funnel.map((p) => (
          <tbody key={p.platform}>
            <tr className="console-table-group">
              <th scope="rowgroup" colSpan={3}>
                {t(`common:platforms.${p.platform}`)} · {t('activity.funnel.people', { n: n(p.people) })} · {t('activity.funnel.alone', { n: n(p.independent) })}
              </th>
            </tr>
            {p.steps.map((s) => (
              <tr key={s.step}>
                <th scope="row">{t(`common:steps.${p.platform}.${s.step}`, { defaultValue: s.step })}</th>
                <td>{n(s.done)}</td>
                <td>{n(s.blocked)}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

const DAY_W = 16;
const CHART_H = 160;

export function VisitsPerDayChart({ days }: { days: Days }) {
  const { t, i18n } = useTranslation('supervisor');
  const n = (x: number) => formatNumber(x, i18n.language);
  const hatch = useSvgId('hatch-day');
  const titleId = useSvgId('days-title');
  const descId = useSvgId('days-desc');
  const max = Math.max(1, ...days.map((d) => d.door + d.literacyPoint));
  const total = days.reduce((s, d) => s + d.door + d.literacyPoint, 0);
  const peak = days.reduce<Days[number] | undefined>((best, d) => (!best || d.door + d.literacyPoint > best.door + best.literacyPoint ? d : best), undefined);
  const width = Math.max(days.length * DAY_W, 480) + 48;
  const day = (iso: string) => formatDate(iso, i18n.language, { day: 'numeric', month: 'numeric' });
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  return (
    <figure className="console-chart">
      <svg viewBox={`0 0 ${width} ${CHART_H + 40}`} role="img" aria-labelledby={`${titleId} ${descId}`} className="console-chart-svg">
        <title id={titleId}>{t('activity.days.chartTitle')}</title>
        <desc id={descId}>
          {peak && total > 0
            ? t('activity.days.chartDesc', { total: n(total), days: n(days.length), peak: n(peak.door + peak.literacyPoint), day: formatDate(peak.day, i18n.language) })
            : t('activity.days.empty')}
        </desc>
        <defs>
          <Hatch id={hatch} />
        </defs>
        <line x1={40} y1={CHART_H} x2={width} y2={CHART_H} stroke="#4a4a4a" />
        <text x={34} y={12} textAnchor="end" className="console-chart-value">
          {n(max)}
        </text>
        <text x={34} y={CHART_H} textAnchor="end" className="console-chart-value">
          0
        </text>
        {days.map((d, i) => {
          const x = 44 + i * DAY_W;
          const hDoor = (d.door / max) * (CHART_H - 8);
          const hPoint = (d.literacyPoint / max) * (CHART_H - 8);
          return (
            <g key={d.day}>
              <rect x={x} y={CHART_H - hDoor} width={DAY_W - 4} height={hDoor} className="console-bar-solid" />
              <rect x={x} y={CHART_H - hDoor - hPoint} width={DAY_W - 4} height={hPoint} fill={`url(#${hatch})`} stroke="#8a4b00" strokeWidth={hPoint > 0 ? 1 : 0} />
              {i % labelEvery === 0 && (
                <text x={x} y={CHART_H + 16} className="console-chart-value">
                  {day(d.day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Legend items={[{ label: t('activity.days.door'), swatch: 'solid' }, { label: t('activity.days.literacyPoint'), swatch: 'hatched' }]} />
      </figcaption>
    </figure>
  );
}

export function VisitsPerDayTable({ days, labelledBy }: { days: Days; labelledBy: string }) {
  const { t, i18n } = useTranslation('supervisor');
  const n = (x: number) => formatNumber(x, i18n.language);
  return (
    <div className="table-scroll console-table-tall" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      <table className="data-table console-table" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col">{t('activity.days.day')}</th>
            <th scope="col">{t('activity.days.door')}</th>
            <th scope="col">{t('activity.days.literacyPoint')}</th>
            <th scope="col">{t('activity.days.total')}</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <th scope="row">{formatDate(d.day, i18n.language)}</th>
              <td>{n(d.door)}</td>
              <td>{n(d.literacyPoint)}</td>
              <td>{n(d.door + d.literacyPoint)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
