// #/console/team: the ward's people and their phones. For each: role, groups,
// last sync, app version, records waiting on their devices and whether the
// browser keeps that data (persistent storage). People with records waiting
// and no sync for 3 days are flagged first. A supervisor edits a volunteer's
// groups, disables them, issues a new enrolment when they forgot the password,
// or revokes one device.
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreatedEnrolment, Device } from '../../../shared/enrolment';
import { useStore } from '../../db/StoreContext';
import { formatDate, formatNumber } from '../../i18n';
import type { HttpOptions } from '../../sync/http';
import { consoleApi, type ConsoleFailure, type TeamMember } from './consoleApi';
import { ConsoleFailureText, GroupChoice } from './Enrol';
import { EnrolmentLink } from './EnrolmentLink';
import { memberDevices, type MemberDevices } from './teamStatus';
import { useConsoleData } from './useConsoleData';
import './Console.css';

interface Props {
  http?: HttpOptions;
  /** The clock, for the 3-day flag (tests fix it). */
  now?: () => Date;
}

function when(iso: string | undefined | null, lang: string, never: string): string {
  return iso ? formatDate(iso, lang, { dateStyle: 'short', timeStyle: 'short' }) : never;
}

function MemberCard({
  member,
  devices,
  status,
  known,
  http,
  onChanged,
  mayManage,
}: {
  member: TeamMember;
  devices: Device[];
  status: MemberDevices;
  known: string[];
  http: HttpOptions | undefined;
  onChanged: () => void;
  mayManage: boolean;
}) {
  const { t, i18n } = useTranslation('supervisor');
  const [editing, setEditing] = useState(false);
  const [groups, setGroups] = useState(member.groups);
  const [confirmDisable, setConfirmDisable] = useState(false);
  const [link, setLink] = useState<CreatedEnrolment | undefined>();
  const [failure, setFailure] = useState<ConsoleFailure | undefined>();
  const name = member.displayName;

  const act = async <T,>(fn: () => Promise<{ ok: true; data: T } | { ok: false; reason: ConsoleFailure }>, after?: (data: T) => void) => {
    setFailure(undefined);
    const r = await fn();
    if (!r.ok) return setFailure(r.reason);
    after?.(r.data);
    onChanged();
  };

  return (
    <li className={`team-member${status.flagged ? ' team-flagged' : ''}`} aria-labelledby={`member-${member.id}`}>
      <h2 id={`member-${member.id}`} className="team-name">
        {name} <span className="muted">({member.username})</span>
      </h2>
      {status.flagged && <p className="warning">{t('team.flagged', { count: status.pending ?? 0 })}</p>}
      {member.disabled && <p className="badge">{t('team.disabled')}</p>}
      <dl className="team-facts">
        <dt>{t('team.role')}</dt>
        <dd>{t(`people.roles.${member.role}`)}</dd>
        <dt>{t('team.groups')}</dt>
        <dd>{member.groups.length ? member.groups.join(', ') : t('team.none')}</dd>
        <dt>{t('team.lastSync')}</dt>
        <dd>{when(status.lastSyncAt, i18n.language, t('team.never'))}</dd>
        <dt>{t('team.appVersion')}</dt>
        <dd>{status.appVersions.length ? status.appVersions.join(', ') : t('team.unknown')}</dd>
        <dt>{t('team.pending')}</dt>
        <dd>{status.pending === undefined ? t('team.unknown') : formatNumber(status.pending, i18n.language)}</dd>
        <dt>{t('team.storage')}</dt>
        <dd>{t(`team.persisted.${status.persisted}`)}</dd>
      </dl>

      {devices.length > 0 && (
        <ul className="console-list" aria-label={t('team.devicesOf', { name })}>
          {devices.map((d, i) => (
            <li key={d.clientId} className="console-item">
              <span>
                {t('team.device', { n: i + 1 })} · {d.appVersion ?? t('team.unknown')} · {when(d.lastPullAt ?? d.lastPushAt, i18n.language, t('team.never'))}
                {d.revokedAt && <> · {t('team.revoked')}</>}
              </span>
              {mayManage && !d.revokedAt && (
                <button
                  type="button"
                  className="button"
                  aria-label={t('team.revokeDevice', { n: i + 1, name })}
                  onClick={() => void act(() => consoleApi.revokeDevice(d.clientId, http))}
                >
                  {t('team.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}

      {mayManage && (
        <div className="team-actions">
          <button type="button" className="button" aria-expanded={editing} aria-label={t('team.editGroupsOf', { name })} onClick={() => setEditing((e) => !e)}>
            {t('team.editGroups')}
          </button>
          <button type="button" className="button" aria-label={t('team.newEnrolmentFor', { name })} onClick={() => void act(() => consoleApi.reEnrol(member.id, http), setLink)}>
            {t('team.newEnrolment')}
          </button>
          {!member.disabled &&
            (confirmDisable ? (
              <button
                type="button"
                className="button danger"
                aria-label={t('team.confirmDisableOf', { name })}
                onClick={() => void act(() => consoleApi.updateUser(member.id, { disabled: true }, http), () => setConfirmDisable(false))}
              >
                {t('team.confirmDisable')}
              </button>
            ) : (
              <button type="button" className="button" aria-label={t('team.disableOf', { name })} onClick={() => setConfirmDisable(true)}>
                {t('team.disable')}
              </button>
            ))}
        </div>
      )}
      {editing && (
        <form
          className="console-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => consoleApi.updateUser(member.id, { groups }, http), () => setEditing(false));
          }}
        >
          <GroupChoice known={known} chosen={groups} onChange={setGroups} legend={t('team.groupsOf', { name })} />
          <button type="submit" className="button primary">
            {t('team.saveGroups')}
          </button>
        </form>
      )}
      {failure && <ConsoleFailureText reason={failure} />}
      {link && <EnrolmentLink enrolment={link} name={name} />}
    </li>
  );
}

export function Team({ http, now = () => new Date() }: Props) {
  const { t } = useTranslation('supervisor');
  const { user } = useStore();
  const loadTeam = useCallback(() => consoleApi.team(http), [http]);
  const loadDevices = useCallback(() => consoleApi.devices(http), [http]);
  const team = useConsoleData(loadTeam);
  const devices = useConsoleData(loadDevices);
  const reload = () => {
    team.reload();
    devices.reload();
  };

  const rows = useMemo(() => {
    if (team.state.status !== 'ok') return [];
    const all = devices.state.status === 'ok' ? devices.state.data : [];
    const at = now();
    return team.state.data.users
      .map((member) => {
        const own = all.filter((d) => d.userId === member.id);
        return { member, devices: own, status: memberDevices(own, at) };
      })
      .sort((a, b) => Number(b.status.flagged) - Number(a.status.flagged) || a.member.displayName.localeCompare(b.member.displayName, 'vi'));
    // now is a clock, not data: the list is recomputed when the data changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [team.state, devices.state]);
  const known = useMemo(() => [...new Set(rows.flatMap((r) => r.member.groups))], [rows]);

  if (user.role !== 'supervisor') {
    return (
      <section className="screen console-narrow">
        <h1>{t('team.title')}</h1>
        <p>{t('people.supervisorsOnly')}</p>
      </section>
    );
  }

  const flagged = rows.filter((r) => r.status.flagged).length;
  return (
    <section className="screen console-narrow">
      <h1>{t('team.title')}</h1>
      <p className="muted">{t('team.intro')}</p>
      <button type="button" className="button" onClick={reload}>
        {t('team.refresh')}
      </button>
      {(team.state.status === 'loading' || devices.state.status === 'loading') && <p role="status">{t('people.loading')}</p>}
      {team.state.status === 'failed' && <ConsoleFailureText reason={team.state.reason} />}
      {devices.state.status === 'failed' && <ConsoleFailureText reason={devices.state.reason} />}
      {team.state.status === 'ok' && (
        <>
          <p role="status">{flagged > 0 ? t('team.flaggedCount', { count: flagged }) : t('team.noneFlagged')}</p>
          <ul className="team-list">
            {rows.map((r) => (
              <MemberCard
                key={r.member.id}
                member={r.member}
                devices={r.devices}
                status={r.status}
                known={known}
                http={http}
                onChanged={reload}
                mayManage={r.member.id !== user.id && r.member.role !== 'supervisor'}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
