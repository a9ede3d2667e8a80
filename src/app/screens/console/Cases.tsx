// "Ca hỗ trợ": the response team's queue of escalation cases (#/console/cases).
//
// Cases reach this device by pull like every record (a responder's scope is
// the ward's cases and what they point at), so the queue works offline. The
// filter (status, reason) lives in the URL query: a link, a reload or the back
// button keeps it. Taking a case, writing its resolution and resolving it are
// ordinary writes through db/repo.ts (record + outbox in one transaction);
// each card says whether its last change is still waiting to sync.
//
// Only responders and supervisors work on cases (the server refuses anyone
// else); a volunteer who opens the page is told so.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CASE_STATUSES, type CaseStatus } from '../../../shared/schemas';
import { ESCALATION_REASONS, type EscalationReason } from '../../../shared/platforms';
import { useCaseQueue } from '../../db/hooks';
import type { CaseItem } from '../../db/queries';
import { updateCase } from '../../db/repo';
import { failureMessage } from '../../db/writeFailure';
import { useStore } from '../../db/StoreContext';
import { useSave } from '../../hooks/useSave';
import { CodeOptions, SelectField, TextAreaField } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { formatAddress } from '../../components/address';
import { formatDate } from '../../i18n';
import { href, navigate, paths } from '../../router';
import './Cases.css';

const CASE_ROLES: readonly string[] = ['responder', 'supervisor'];

/** Whole days between an instant and now (0 on the day it was opened). */
function ageInDays(createdAt: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(createdAt)) / 86_400_000));
}

function CaseCard({ item }: { item: CaseItem }) {
  const { t, i18n } = useTranslation(['supervisor', 'common']);
  const { db, actor } = useStore();
  const { save, saving, failure, errors } = useSave();
  const [resolution, setResolution] = useState(item.case.resolution ?? '');
  const c = item.case;
  const mine = c.assigneeId === actor.userId;
  const headingId = `case-${c.id}`;

  const take = () => save(() => updateCase(db, actor, c.id, { status: 'in_progress', assigneeId: actor.userId }));
  const resolve = (e: FormEvent) => {
    e.preventDefault();
    void save(() => updateCase(db, actor, c.id, { status: 'resolved', resolution }));
  };
  const reopen = () => save(() => updateCase(db, actor, c.id, { status: 'in_progress' }));

  const where = item.household
    ? formatAddress(t, item.household.address)
    : item.visit?.literacyPointId
      ? t('cases.walkInAt', { point: item.visit.literacyPointId })
      : t('cases.walkIn');
  const age = ageInDays(c.createdAt, Date.now());

  return (
    <li className={`case-card case-${c.status}`} aria-labelledby={headingId}>
      <h2 id={headingId} className="case-title">
        {t(`common:escalation.${c.reason}`)}
      </h2>
      <p className="case-meta">
        <span className={`case-badge status-${c.status}`}>{t(`cases.status.${c.status}`)}</span>{' '}
        <span className={`case-sync sync-${item.sync}`}>{t(`cases.sync.${item.sync}`)}</span>
      </p>
      <dl className="case-facts">
        <dt>{t('cases.where')}</dt>
        <dd>
          {item.household ? <a href={href(paths.household(item.household.id))}>{where}</a> : where}
          {c.group ? ` · ${c.group}` : ''}
        </dd>
        <dt>{t('cases.opened')}</dt>
        <dd>
          {formatDate(c.createdAt.slice(0, 10), i18n.language)} · {t('cases.age', { count: age })}
        </dd>
        <dt>{t('cases.assignee')}</dt>
        <dd>{c.assigneeId === undefined ? t('cases.unassigned') : mine ? t('cases.assignedToYou') : t('cases.assignedToOther')}</dd>
        {c.detail && (
          <>
            <dt>{t('cases.detail')}</dt>
            <dd>{c.detail}</dd>
          </>
        )}
        {c.status === 'resolved' && c.resolution && (
          <>
            <dt>{t('cases.resolution')}</dt>
            <dd>{c.resolution}</dd>
          </>
        )}
      </dl>
      {c.status !== 'resolved' && !mine && (
        <button type="button" className="button" disabled={saving} onClick={() => void take()}>
          {t('cases.take')}
        </button>
      )}
      {c.status !== 'resolved' ? (
        <form className="case-resolve" onSubmit={resolve} noValidate>
          <TextAreaField label={t('cases.resolutionLabel')} value={resolution} onChange={setResolution} error={errors.resolution} required />
          <button type="submit" className="button primary" disabled={saving}>
            {t('cases.resolve')}
          </button>
        </form>
      ) : (
        <button type="button" className="button" disabled={saving} onClick={() => void reopen()}>
          {t('cases.reopen')}
        </button>
      )}
      {failure && failure.reason !== 'invalid' && (
        <p className="form-error" role="alert">
          {failureMessage(t, failure)}
        </p>
      )}
    </li>
  );
}

export interface CasesProps {
  status?: CaseStatus | undefined;
  reason?: EscalationReason | undefined;
}

export function Cases({ status, reason }: CasesProps) {
  const { t } = useTranslation(['supervisor', 'common']);
  const { user } = useStore();
  const items = useCaseQueue({ status, reason });

  if (!CASE_ROLES.includes(user.role)) {
    return (
      <section className="screen console-cases">
        <h1>{t('cases.title')}</h1>
        <p className="empty">{t('cases.forbidden')}</p>
      </section>
    );
  }

  const setFilter = (next: CasesProps) => navigate(paths.consoleCases({ status, reason, ...next }), { replace: true });

  return (
    <section className="screen console-cases">
      <h1>{t('cases.title')}</h1>
      <form className="case-filters" role="search" aria-label={t('cases.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField label={t('cases.filterStatus')} value={status ?? ''} onChange={(v) => setFilter({ status: (v || undefined) as CaseStatus | undefined })}>
          <option value="">{t('cases.all')}</option>
          <CodeOptions codes={CASE_STATUSES} label={(s) => t(`cases.status.${s}`)} />
        </SelectField>
        <SelectField
          label={t('cases.filterReason')}
          value={reason ?? ''}
          onChange={(v) => setFilter({ reason: (v || undefined) as EscalationReason | undefined })}
        >
          <option value="">{t('cases.all')}</option>
          <CodeOptions codes={ESCALATION_REASONS} label={(r) => t(`common:escalation.${r}`)} />
        </SelectField>
      </form>
      {items === undefined ? (
        <Loading />
      ) : (
        <>
          <p className="case-count" role="status">
            {t('cases.count', { count: items.length })}
          </p>
          {items.length === 0 ? (
            <p className="empty">{t('cases.empty')}</p>
          ) : (
            <ul className="case-list">
              {items.map((item) => (
                <CaseCard key={item.case.id} item={item} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
