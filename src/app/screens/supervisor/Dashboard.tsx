// The supervisor's ward dashboard (#/dashboard): coverage per residential
// group, the per-platform funnel, blockers and the exports console, from the server.
//
// This file and its siblings are a chunk of their own that volunteers never
// download: ScreenSwitch.tsx imports it lazily from the route only (not in the
// idle preload), and the service worker does not precache it (vite.config.ts).
// Keep it that way: nothing outside src/app/screens/supervisor/ may import it.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from '../../db/StoreContext';
import { formatDate } from '../../i18n';
import { href, paths } from '../../router';
import type { HttpOptions } from '../../sync/http';
import { Exports } from './Exports';
import { BlockerRanking, CoverageTable, FunnelSection, OpenCases, VisitTotals, groupOrder } from './ReportSections';
import { useReportSummary, type SummaryFailure } from './useReportSummary';
import './Dashboard.css';

export interface DashboardProps {
  /** Where and how to reach the server; tests give an absolute baseUrl. Must be stable. */
  http?: HttpOptions;
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

const FAILURE_TEXT: Record<SummaryFailure, string> = {
  offline: 'errors.offline',
  failed: 'errors.failed',
  unauthenticated: 'errors.unauthenticated',
  forbidden: 'errors.forbidden',
};

function Failure({ reason, onRetry }: { reason: SummaryFailure; onRetry: () => void }) {
  const { t } = useTranslation('supervisor');
  return (
    <div className="failure-box" role="alert">
      <p className="form-error">{t(FAILURE_TEXT[reason])}</p>
      {reason === 'unauthenticated' && (
        <a className="button" href={href(paths.sync())}>
          {t('errors.signInAgain')}
        </a>
      )}
      {reason !== 'forbidden' && (
        <button type="button" className="button primary" onClick={onRetry}>
          {t('errors.retry')}
        </button>
      )}
    </div>
  );
}

function safeTime(iso: string, lang: string): string {
  return Number.isNaN(Date.parse(iso)) ? iso : formatDate(iso, lang, { dateStyle: 'short', timeStyle: 'short' });
}

function SupervisorDashboard({ http }: DashboardProps) {
  const { t, i18n } = useTranslation('supervisor');
  const { user } = useStore();
  const { state, reload } = useReportSummary(http);
  const groups = useMemo(() => (state.status === 'ok' ? [...new Set(state.data.coverage.map((c) => c.group))].sort(groupOrder.compare) : []), [state]);

  return (
    <section className="screen dashboard">
      <h1>{t('title')}</h1>
      <p className="muted">
        {t('ward', { ward: state.status === 'ok' ? state.data.wardCode : user.wardCode })}
        {state.status === 'ok' && <> · {t('generatedAt', { time: safeTime(state.data.generatedAt, i18n.language) })}</>}
      </p>

      {state.status === 'loading' && (
        <p className="loading" role="status">
          {t('loading')}
        </p>
      )}
      {state.status === 'failed' && <Failure reason={state.reason} onRetry={reload} />}
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

      <Exports http={http} groups={groups} />
    </section>
  );
}

export function Dashboard({ http }: DashboardProps) {
  const { user } = useStore();
  if (user.role !== 'supervisor') return <SupervisorsOnly />;
  return <SupervisorDashboard http={http} />;
}
