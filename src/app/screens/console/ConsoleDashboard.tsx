// The ward dashboard of the console (#/console/dashboard?group=&from=&to=&volunteer=&channel=):
// filters kept in the URL (a copied link shows the same figures), applied by
// the server (GET /api/v1/reports/activity), above the ward's all-time
// overview (supervisor/Dashboard.tsx). The city opens a ward's dashboard from
// its city view with ?ward=; it sees the filtered activity (the overview is
// the ward supervisor's).
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { activityReportSchema, ACTIVITY_FILTER_KEYS, CHANNEL_FILTERS, type ActivityFilters } from '../../../shared/console';
import { useStore } from '../../db/StoreContext';
import { href, navigate, paths } from '../../router';
import type { HttpOptions } from '../../sync/http';
import { Dashboard } from '../supervisor/Dashboard';
import { groupOrder } from '../supervisor/ReportSections';
import { DaysPart, FunnelPart, PointsPart, TargetsPart, VolunteersPart } from './ActivitySections';
import { DataFailure } from './DataFailure';
import { useServerData } from './useServerData';
import './ConsoleDashboard.css';

export interface ConsoleDashboardProps {
  filters: ActivityFilters;
  ward?: string | undefined;
  http?: HttpOptions;
}

/** The activity request for these filters (and, for the city, the ward). */
export function activityPath(filters: ActivityFilters, ward?: string): string {
  const q = new URLSearchParams();
  for (const k of ACTIVITY_FILTER_KEYS) if (filters[k]) q.set(k, filters[k]!);
  if (ward) q.set('ward', ward);
  const s = q.toString();
  return `/api/v1/reports/activity${s ? `?${s}` : ''}`;
}

function FiltersForm({ filters, ward, groups, volunteers }: { filters: ActivityFilters; ward?: string | undefined; groups: string[]; volunteers: Map<string, string> }) {
  const { t } = useTranslation('supervisor');
  const [draft, setDraft] = useState<ActivityFilters>(filters);
  const set = (k: keyof ActivityFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));
  const badRange = Boolean(draft.from && draft.to && draft.from > draft.to);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!badRange) navigate(paths.consoleDashboard(draft, ward));
  };
  return (
    <form className="console-filters" onSubmit={submit} aria-labelledby="console-filters-title">
      <h2 id="console-filters-title">{t('filters.title')}</h2>
      <div className="console-filter-fields">
        <label>
          {t('filters.group')}
          <select value={draft.group ?? ''} onChange={set('group')}>
            <option value="">{t('filters.allGroups')}</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filters.from')}
          <input type="date" value={draft.from ?? ''} onChange={set('from')} aria-invalid={badRange || undefined} aria-describedby={badRange ? 'console-filters-range' : undefined} />
        </label>
        <label>
          {t('filters.to')}
          <input type="date" value={draft.to ?? ''} onChange={set('to')} aria-invalid={badRange || undefined} />
        </label>
        <label>
          {t('filters.volunteer')}
          <select value={draft.volunteer ?? ''} onChange={set('volunteer')}>
            <option value="">{t('filters.allVolunteers')}</option>
            {[...volunteers].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filters.channel')}
          <select value={draft.channel ?? ''} onChange={set('channel')}>
            <option value="">{t('filters.allChannels')}</option>
            {CHANNEL_FILTERS.map((c) => (
              <option key={c} value={c}>
                {t(`filters.channels.${c}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {badRange && (
        <p id="console-filters-range" className="form-error" role="alert">
          {t('filters.badRange')}
        </p>
      )}
      <div className="console-filter-actions">
        <button type="submit" className="button primary" disabled={badRange}>
          {t('filters.apply')}
        </button>
        <a className="button" href={href(paths.consoleDashboard({}, ward))}>
          {t('filters.clear')}
        </a>
      </div>
    </form>
  );
}

function Activity({ filters, ward, http }: ConsoleDashboardProps) {
  const { t } = useTranslation('supervisor');
  const path = activityPath(filters, ward);
  const { state, reload } = useServerData(activityReportSchema, path, http);
  // The choices: what the unfiltered ward has (one request, kept while the
  // filters change), so a filtered answer's shorter lists never hide them.
  const allPath = activityPath({}, ward);
  const { state: all } = useServerData(activityReportSchema, allPath === path ? undefined : allPath, http);
  const options = all.status === 'ok' ? all.data : state.status === 'ok' ? state.data : undefined;
  const groups = useMemo(() => {
    const set = new Set(options?.targets.groups.map((g) => g.group) ?? []);
    if (filters.group) set.add(filters.group);
    return [...set].sort(groupOrder.compare);
  }, [options, filters.group]);
  const volunteers = useMemo(
    () => new Map((options?.volunteers ?? []).map((v): [string, string] => [v.userId, v.displayName ?? v.userId]).sort((a, b) => groupOrder.compare(a[1], b[1]))),
    [options],
  );
  return (
    <div className="console-activity">
      <FiltersForm key={path} filters={filters} ward={ward} groups={groups} volunteers={volunteers} />
      <h2 className="console-part-heading" id="console-activity-title">
        {t('activity.title')}
      </h2>
      {state.status === 'loading' && (
        <p className="loading" role="status">
          {t('loading')}
        </p>
      )}
      {state.status === 'failed' && <DataFailure reason={state.reason} onRetry={reload} />}
      {state.status === 'ok' && (
        <>
          <ul className="stats report-stats" aria-labelledby="console-activity-title">
            {(['visits', 'door', 'literacyPoint', 'households', 'people'] as const).map((k) => (
              <li key={k} data-testid={`activity-${k}`}>
                <span className="stat-number">{state.data.totals[k]}</span>
                <span className="stat-label">{t(`activity.totals.${k}`)}</span>
              </li>
            ))}
          </ul>
          <TargetsPart targets={state.data.targets} />
          <DaysPart days={state.data.visitsPerDay} />
          <FunnelPart funnel={state.data.funnel} />
          <VolunteersPart volunteers={state.data.volunteers} now={Date.parse(state.data.generatedAt)} />
          <PointsPart points={state.data.literacyPoints} />
        </>
      )}
    </div>
  );
}

export function ConsoleDashboard({ filters, ward, http }: ConsoleDashboardProps) {
  const { t } = useTranslation('supervisor');
  const { user } = useStore();
  if (user.role === 'city') {
    return (
      <section className="screen dashboard">
        <h1>{t('title')}</h1>
        {ward ? (
          <>
            <p className="muted">{t('ward', { ward })}</p>
            <Activity filters={filters} ward={ward} http={http} />
          </>
        ) : (
          <p>
            <a href={href(paths.console('city'))}>{t('console.pickWard')}</a>
          </p>
        )}
      </section>
    );
  }
  return (
    <Dashboard http={http}>
      <Activity filters={filters} http={http} />
    </Dashboard>
  );
}
