// The one way priority is shown, on every screen: the same words, colours and
// order, from the shared priority function's reasons.
import { useTranslation } from 'react-i18next';
import type { PriorityReason } from '../../shared/priority';
import './PriorityBadges.css';

export function PriorityBadges({ reasons }: { reasons: readonly PriorityReason[] }) {
  const { t } = useTranslation('common');
  if (reasons.length === 0) return null;
  return (
    <ul className="badges" aria-label={t('priority.label')}>
      {reasons.map((r) => (
        <li key={r} className={`badge badge-${r}`}>
          {t(`priority.${r}`)}
        </li>
      ))}
    </ul>
  );
}
