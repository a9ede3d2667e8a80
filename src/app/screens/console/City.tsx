// The city view (#/console/city): every ward in one table, from the server's
// aggregates, each ward linking to its dashboard. A console page: lazy, in the
// console chunk (ScreenSwitch.tsx), never on a volunteer's first screen.
import { useTranslation } from 'react-i18next';
import { PLATFORMS, PLATFORM_STEPS, type Platform } from '../../../shared/platforms';
import type { CityWard } from '../../../shared/reports';
import { useStore } from '../../db/StoreContext';
import { formatDate } from '../../i18n';
import { href, paths } from '../../router';
import type { HttpOptions } from '../../sync/http';
import { DataFailure } from './DataFailure';
import { useCityReport } from './useCityReport';
import './City.css';

export interface CityProps {
  /** Where and how to reach the server; tests give an absolute baseUrl. Must be stable. */
  http?: HttpOptions;
}

/** The step that completes a platform: the funnel's last. */
const lastStep = (p: Platform) => PLATFORM_STEPS[p][PLATFORM_STEPS[p].length - 1]!;

const doneOf = (w: Pick<CityWard, 'funnel'>, p: Platform) => w.funnel.find((f) => f.platform === p)?.steps.find((s) => s.step === lastStep(p))?.done ?? 0;

/** Only an in-app hash path is ever a link target. */
const safeLink = (path: string) => (/^#\/[^\s]*$/.test(path) ? path : undefined);


function useFormat() {
  const { t, i18n } = useTranslation('supervisor');
  const locale = i18n.language === 'en' ? 'en-GB' : 'vi-VN';
  const n = (x: number) => x.toLocaleString(locale);
  const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–');
  return { t, i18n, n, pct };
}

function WardRow({ ward, heading }: { ward: CityWard; heading: 'th' | 'link' }) {
  const { t, n, pct } = useFormat();
  const link = safeLink(ward.dashboard);
  return (
    <tr>
      <th scope="row">
        {heading === 'link' && link ? (
          <a href={link} className="city-ward-link">
            {ward.name}
            <span className="visually-hidden"> {t('city.openDashboard')}</span>
          </a>
        ) : (
          ward.name
        )}
      </th>
      <td>{n(ward.households)}</td>
      <td>
        {n(ward.visited)} <span className="muted">({pct(ward.visited, ward.households)})</span>
      </td>
      <td>
        {t('city.ofTotal', { part: n(ward.priorityPeopleReached), total: n(ward.priorityPeople) })}
      </td>
      <td>
        {ward.targetIndependent === null
          ? n(ward.independentPeople)
          : t('city.ofTarget', { part: n(ward.independentPeople), target: n(ward.targetIndependent) })}
      </td>
      {PLATFORMS.map((p) => (
        <td key={p}>{n(doneOf(ward, p))}</td>
      ))}
      <td>{n(ward.openCases)}</td>
      <td>{n(ward.inProgressCases)}</td>
    </tr>
  );
}

function CityTable({ wards }: { wards: CityWard[] }) {
  const { t } = useFormat();
  const sum = (k: 'households' | 'visited' | 'people' | 'priorityPeople' | 'priorityPeopleReached' | 'independentPeople' | 'openCases' | 'inProgressCases') =>
    wards.reduce((s, w) => s + w[k], 0);
  const targets = wards.map((w) => w.targetIndependent);
  const total: CityWard = {
    code: '',
    name: t('city.total'),
    dashboard: '',
    households: sum('households'),
    visited: sum('visited'),
    people: sum('people'),
    priorityPeople: sum('priorityPeople'),
    priorityPeopleReached: sum('priorityPeopleReached'),
    independentPeople: sum('independentPeople'),
    targetIndependent: targets.every((x) => x !== null) && targets.length > 0 ? targets.reduce((s, x) => s! + x!, 0) : null,
    funnel: PLATFORMS.map((platform) => ({
      platform,
      people: 0,
      steps: [{ step: lastStep(platform), done: wards.reduce((s, w) => s + doneOf(w, platform), 0), blocked: 0 }],
      independent: 0,
    })),
    openCases: sum('openCases'),
    inProgressCases: sum('inProgressCases'),
  };
  return (
    <>
      <p className="hint">{t('city.scrollHint')}</p>
      {/* Scrolls inside itself on a narrow screen; focusable so a keyboard can scroll it. */}
      <div className="city-scroll" role="region" aria-labelledby="city-table-caption" tabIndex={0}>
        <table className="city-table">
          <caption id="city-table-caption">{t('city.caption', { count: wards.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('city.ward')}</th>
              <th scope="col">{t('city.households')}</th>
              <th scope="col">{t('city.visited')}</th>
              <th scope="col">{t('city.priorityReached')}</th>
              <th scope="col">{t('city.independent')}</th>
              {PLATFORMS.map((p) => (
                <th scope="col" key={p}>
                  {t('city.platformDone', { platform: t(`common:platformsShort.${p}`), step: t(`common:steps.${p}.${lastStep(p)}`, { defaultValue: lastStep(p) }) })}
                </th>
              ))}
              <th scope="col">{t('city.openCases')}</th>
              <th scope="col">{t('city.inProgressCases')}</th>
            </tr>
          </thead>
          <tbody>
            {wards.map((w) => (
              <WardRow key={w.code} ward={w} heading="link" />
            ))}
          </tbody>
          {wards.length > 1 && (
            <tfoot>
              <WardRow ward={total} heading="th" />
            </tfoot>
          )}
        </table>
      </div>
    </>
  );
}


function CityReportView({ http }: CityProps) {
  const { t, i18n } = useFormat();
  const { state, reload } = useCityReport(http);
  const generated = state.status === 'ok' && !Number.isNaN(Date.parse(state.data.generatedAt))
    ? formatDate(state.data.generatedAt, i18n.language, { dateStyle: 'short', timeStyle: 'short' })
    : undefined;
  return (
    <section className="screen city">
      <h1>{t('city.title')}</h1>
      {generated && <p className="muted">{t('generatedAt', { time: generated })}</p>}
      {(state.status === 'loading' || state.status === 'idle') && (
        <p className="loading" role="status">
          {t('city.loading')}
        </p>
      )}
      {state.status === 'failed' && <DataFailure reason={state.reason} onRetry={reload} texts="city.errors" />}
      {state.status === 'ok' && (
        <>
          <button type="button" className="button" onClick={reload}>
            {t('refresh')}
          </button>
          {state.data.wards.length === 0 ? <p>{t('city.empty')}</p> : <CityTable wards={state.data.wards} />}
          <p className="hint">{t('city.definitions')}</p>
        </>
      )}
    </section>
  );
}

function CityOnly() {
  const { t } = useFormat();
  return (
    <section className="screen city">
      <h1>{t('city.onlyTitle')}</h1>
      <p>{t('city.onlyBody')}</p>
      <a className="button" href={href(paths.home())}>
        {t('supervisorsOnly.home')}
      </a>
    </section>
  );
}

export function City({ http }: CityProps) {
  const { user } = useStore();
  if (user.role !== 'city') return <CityOnly />;
  return <CityReportView http={http} />;
}
