// A person's progress at a glance: done steps per platform and a star where the
// person has done it alone.
import { useTranslation } from 'react-i18next';
import { PLATFORMS, PLATFORM_STEPS } from '../../shared/platforms';
import type { Person } from '../../shared/schemas';
import './PlatformProgress.css';

export function PlatformProgress({ platforms }: { platforms: Person['platforms'] }) {
  const { t } = useTranslation('common');
  return (
    <ul className="progress-list">
      {PLATFORMS.map((p) => {
        const steps = platforms[p].steps as Record<string, { status: string }>;
        const total = PLATFORM_STEPS[p].length;
        const done = Object.values(steps).filter((s) => s.status === 'done').length;
        const blocked = Object.values(steps).some((s) => s.status === 'blocked');
        return (
          <li key={p} className={blocked ? 'is-blocked' : undefined}>
            <span className="progress-name">{t(`platformsShort.${p}`)}</span>{' '}
            {t('progress', { done, total })}
            {blocked && <span className="progress-flag"> · {t('stepStatus.blocked')}</span>}
            {platforms[p].independent && <span className="progress-alone"> · ★ {t('independent')}</span>}
          </li>
        );
      })}
    </ul>
  );
}
