// The exports console (#/console/exports): the download form and the export
// audit (supervisor/Exports.tsx), with the ward's groups to choose from.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { HttpOptions } from '../../sync/http';
import { Exports } from '../supervisor/Exports';
import { groupOrder } from '../supervisor/ReportSections';
import { useReportSummary } from '../supervisor/useReportSummary';

export function ExportsPage({ http }: { http?: HttpOptions }) {
  const { t } = useTranslation('supervisor');
  const { state } = useReportSummary(http);
  const groups = useMemo(() => (state.status === 'ok' ? [...new Set(state.data.coverage.map((c) => c.group))].sort(groupOrder.compare) : []), [state]);
  return (
    <section className="screen dashboard console-exports">
      <h1>{t('console.nav.exports')}</h1>
      <Exports http={http} groups={groups} />
    </section>
  );
}
