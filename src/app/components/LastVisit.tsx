// "Chưa gõ cửa" or the latest outcome and when: the status a volunteer scans a list for.
import { useTranslation } from 'react-i18next';
import { formatRelative } from '../i18n';
import type { Visit } from '../../shared/schemas';

export function LastVisit({ visit }: { visit: Visit | undefined }) {
  const { t, i18n } = useTranslation('common');
  if (!visit) return <span className="outcome outcome-none">{t('neverVisited')}</span>;
  return (
    <span className={`outcome outcome-${visit.outcome}`}>
      {t(`outcomes.${visit.outcome}`)} · {formatRelative(visit.at, i18n.language)}
    </span>
  );
}
