// One visit in a history list: when, outcome, what changed per person, services,
// follow-up, escalation, notes.
import { useTranslation } from 'react-i18next';
import { formatDate } from '../i18n';
import type { Person, Visit } from '../../shared/schemas';
import './VisitSummary.css';

export function VisitSummary({ visit, people }: { visit: Visit; people: readonly Person[] }) {
  const { t, i18n } = useTranslation(['screens', 'common']);
  const lang = i18n.language;
  const nameOf = (id: string | undefined) => people.find((p) => p.id === id)?.fullName ?? visit.people[0]?.walkInName ?? t('common:anonymous');
  return (
    <article className="visit">
      <h3>
        <time dateTime={visit.at}>{formatDate(visit.at, lang, { dateStyle: 'medium', timeStyle: 'short' })}</time>{' '}
        <span className={`outcome outcome-${visit.outcome}`}>{t(`common:outcomes.${visit.outcome}`)}</span>
      </h3>
      {visit.people.map((p, i) =>
        p.steps.length === 0 && !p.independent?.length ? null : (
          <p key={p.personId ?? i}>
            <strong>{nameOf(p.personId)}:</strong>{' '}
            {p.steps
              .map((s) => `${t(`common:platformsShort.${s.platform}`)} ${t(`common:steps.${s.platform}.${s.step}`)} (${t(`common:stepStatus.${s.status}`)}${s.blocker ? ` — ${t(`common:blockers.${s.blocker}`)}` : ''})`)
              .concat((p.independent ?? []).map((pl) => `${t(`common:platformsShort.${pl}`)}: ★ ${t('common:independent')}`))
              .join('; ')}
          </p>
        ),
      )}
      {visit.services.length > 0 && (
        <p>
          {t('visit.servicesDone')}: {visit.services.join(', ')}
        </p>
      )}
      {visit.followUpOn && (
        <p>
          {t('visit.followUpOn')}: {formatDate(visit.followUpOn, lang)}
        </p>
      )}
      {visit.escalate && (
        <p className="warning">
          {t('common:escalated')}: {t(`common:escalation.${visit.escalate.reason}`)} — {visit.escalate.detail}
        </p>
      )}
      {visit.notes && <p className="muted">{visit.notes}</p>}
    </article>
  );
}
