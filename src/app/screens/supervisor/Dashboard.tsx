// The supervisor's ward overview: coverage per residential group, the
// per-platform funnel, blockers, from the server. The console's dashboard
// (#/console/dashboard, screens/console/ConsoleDashboard.tsx) frames it, with
// its filtered activity as `children` under the heading; the exports have
// their own console page (#/console/exports).
//
// This file and its siblings are in the console's chunk, which volunteers
// never download: only screens/console/ imports them, and the service worker
// does not precache it (vite.config.ts). Keep it that way.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from '../../db/StoreContext';
import { formatDate } from '../../i18n';
import { href, paths } from '../../router';
import type { HttpOptions } from '../../sync/http';
import { BlockerRanking, CoverageTable, FunnelSection, OpenCases, VisitTotals } from './ReportSections';
import { useReportSummary } from './useReportSummary';
import { DataFailure } from '../console/DataFailure';
import './Dashboard.css';

export interface DashboardProps {
  /** Where and how to reach the server; tests give an absolute baseUrl. Must be stable. */
  http?: HttpOptions;
  /** Shown under the heading, before the overview (the console's filtered activity). */
  children?: ReactNode;
}

function SupervisorsOnly() {
  const { t } = useTranslation('supervisor');
  return (
    <section className="screen dashboard">
      <h1>{t('supervisorsOnly.title')}</h1>
      <p>{t('supervisorsOnly.body')}</p>
      <a className="button" href={href(paths.home())}>
        {t('supervisorsOnly.home')}
      </a>
    </section>
  );
}



function safeTime(iso: string, lang: string): string {
  return Number.isNaN(Date.parse(iso)) ? iso : formatDate(iso, lang, { dateStyle: 'short', timeStyle: 'short' });
}

function SupervisorDashboard({ http, children }: DashboardProps) {
  const { t, i18n } = useTranslation('supervisor');
  const { user } = useStore();
  const { state, reload } = useReportSummary(http);

  return (
    <section className="screen dashboard">
      <h1>{t('title')}</h1>
      <p className="muted">
        {t('ward', { ward: state.status === 'ok' ? state.data.wardCode : user.wardCode })}
        {state.status === 'ok' && <> · {t('generatedAt', { time: safeTime(state.data.generatedAt, i18n.language) })}</>}
      </p>
      {children}
      <h2 className="console-part-heading">{t('overview.title')}</h2>
      <p className="hint">{t('overview.intro')}</p>

      {state.status === 'loading' && (
        <p className="loading" role="status">
          {t('loading')}
        </p>
      )}
      {state.status === 'failed' && <DataFailure reason={state.reason} onRetry={reload} />}
      {state.status === 'ok' && (
        <>
          <button type="button" className="button" onClick={reload}>
            {t('refresh')}
          </button>
          <VisitTotals visits={state.data.visits} />
          <CoverageTable coverage={state.data.coverage} />
          <FunnelSection funnel={state.data.funnel} />
          <BlockerRanking blockers={state.data.blockers} />
          <OpenCases cases={state.data.cases} />
        </>
      )}
    </section>
  );
}

export function Dashboard({ http, children }: DashboardProps) {
  const { user } = useStore();
  if (user.role !== 'supervisor') return <SupervisorsOnly />;
  return <SupervisorDashboard http={http}>{children}</SupervisorDashboard>;
}
