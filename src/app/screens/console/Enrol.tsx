// #/console/enrol: a supervisor enrols a volunteer (or a responder) at a
// literacy point. The form creates a one-time link, shown as a QR code to scan
// with the volunteer's phone and as a link to copy; pending links can be
// cancelled. Groups are picked from the ward's known groups (the union of its
// team's groups), with a field to add one the team does not have yet.
import { useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ENROLLABLE_ROLES, type CreatedEnrolment, type EnrollableRole } from '../../../shared/enrolment';
import { useStore } from '../../db/StoreContext';
import { formatDate } from '../../i18n';
import type { HttpOptions } from '../../sync/http';
import { consoleApi, type ConsoleFailure } from './consoleApi';
import { EnrolmentLink } from './EnrolmentLink';
import { groupOrder, useConsoleData } from './useConsoleData';
import './Console.css';

export function GroupChoice({ known, chosen, onChange, legend }: { known: string[]; chosen: string[]; onChange: (g: string[]) => void; legend: string }) {
  const { t } = useTranslation('supervisor');
  const [extra, setExtra] = useState('');
  const id = useId();
  const all = [...new Set([...known, ...chosen])].sort(groupOrder.compare);
  const toggle = (g: string) => onChange(chosen.includes(g) ? chosen.filter((x) => x !== g) : [...chosen, g]);
  const add = () => {
    const g = extra.trim();
    if (g && g.length <= 40 && !chosen.includes(g)) onChange([...chosen, g]);
    setExtra('');
  };
  return (
    <fieldset className="console-groups">
      <legend>{legend}</legend>
      {all.length === 0 && <p className="muted">{t('enrol.noGroups')}</p>}
      <div className="console-group-list">
        {all.map((g) => (
          <div className="field-check" key={g}>
            <input type="checkbox" id={`${id}-${g}`} checked={chosen.includes(g)} onChange={() => toggle(g)} />
            <label htmlFor={`${id}-${g}`}>{g}</label>
          </div>
        ))}
      </div>
      <label htmlFor={`${id}-extra`}>{t('enrol.addGroup')}</label>
      <div className="input-row">
        <input id={`${id}-extra`} type="text" maxLength={40} value={extra} onChange={(e) => setExtra(e.target.value)} />
        <button type="button" className="button" onClick={add}>
          {t('enrol.addGroupButton')}
        </button>
      </div>
    </fieldset>
  );
}

export function ConsoleFailureText({ reason }: { reason: ConsoleFailure }) {
  const { t } = useTranslation('supervisor');
  return (
    <p className="form-error" role="alert">
      {t(`people.errors.${reason}`)}
    </p>
  );
}

export function Enrol({ http }: { http?: HttpOptions }) {
  const { t, i18n } = useTranslation('supervisor');
  const { user } = useStore();
  const loadPending = useCallback(() => consoleApi.pending(http), [http]);
  const loadTeam = useCallback(() => consoleApi.team(http), [http]);
  const pending = useConsoleData(loadPending);
  const team = useConsoleData(loadTeam);
  const known = useMemo(() => (team.state.status === 'ok' ? [...new Set(team.state.data.users.flatMap((u) => u.groups))] : []), [team.state]);

  const [role, setRole] = useState<EnrollableRole>('volunteer');
  const [displayName, setDisplayName] = useState('');
  const [groups, setGroups] = useState<string[]>([]);
  const [created, setCreated] = useState<{ enrolment: CreatedEnrolment; name: string } | undefined>();
  const [failure, setFailure] = useState<ConsoleFailure | undefined>();
  const [busy, setBusy] = useState(false);

  if (user.role !== 'supervisor') {
    return (
      <section className="screen console-narrow">
        <h1>{t('enrol.title')}</h1>
        <p>{t('people.supervisorsOnly')}</p>
      </section>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setFailure(undefined);
    const r = await consoleApi.enrol({ role, groups, displayName: displayName.trim() }, http);
    setBusy(false);
    if (!r.ok) {
      setFailure(r.reason);
      return;
    }
    setCreated({ enrolment: r.data, name: displayName.trim() });
    setDisplayName('');
    setGroups([]);
    pending.reload();
  };

  const cancel = async (id: string) => {
    const r = await consoleApi.cancel(id, http);
    if (!r.ok && r.reason !== 'conflict') setFailure(r.reason);
    pending.reload();
  };

  return (
    <section className="screen console-narrow">
      <h1>{t('enrol.title')}</h1>
      <p className="muted">{t('enrol.intro')}</p>
      <form className="console-form" onSubmit={submit} aria-labelledby="enrol-form-title">
        <h2 id="enrol-form-title">{t('enrol.formTitle')}</h2>
        <div className="field">
          <label htmlFor="enrol-name">{t('enrol.displayName')}</label>
          <input id="enrol-name" type="text" required maxLength={100} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="enrol-role">{t('enrol.role')}</label>
          <select id="enrol-role" value={role} onChange={(e) => setRole(e.target.value as EnrollableRole)}>
            {ENROLLABLE_ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`people.roles.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <GroupChoice known={known} chosen={groups} onChange={setGroups} legend={t('enrol.groups')} />
        {failure && <ConsoleFailureText reason={failure} />}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t('enrol.creating') : t('enrol.create')}
        </button>
      </form>

      {created && <EnrolmentLink enrolment={created.enrolment} name={created.name} />}

      <section aria-labelledby="enrol-pending-title">
        <h2 id="enrol-pending-title">{t('enrol.pendingTitle')}</h2>
        {pending.state.status === 'loading' && <p role="status">{t('people.loading')}</p>}
        {pending.state.status === 'failed' && <ConsoleFailureText reason={pending.state.reason} />}
        {pending.state.status === 'ok' && pending.state.data.enrolments.length === 0 && <p className="muted">{t('enrol.noPending')}</p>}
        {pending.state.status === 'ok' && pending.state.data.enrolments.length > 0 && (
          <ul className="console-list">
            {pending.state.data.enrolments.map((e) => (
              <li key={e.id} className="console-item">
                <span>
                  <strong>{e.displayName}</strong> · {t(`people.roles.${e.role}`)}
                  {e.userId ? ` · ${t('enrol.resetLink')}` : ''}
                  {e.groups.length > 0 && ` · ${e.groups.join(', ')}`}
                  <br />
                  <span className="muted">{t('enrol.expires', { time: formatDate(e.expiresAt, i18n.language, { dateStyle: 'short', timeStyle: 'short' }) })}</span>
                </span>
                <button type="button" className="button" aria-label={t('enrol.cancelFor', { name: e.displayName })} onClick={() => void cancel(e.id)}>
                  {t('enrol.cancel')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
