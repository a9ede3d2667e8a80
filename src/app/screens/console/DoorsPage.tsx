// The printable door list (#/console/doors?group=&lane=): per residential
// group, lane by lane, the doors nobody has knocked on yet and the follow-ups
// due, so a team can work from paper when a phone dies. Printing leaves out
// the console's bars and this page's form (print CSS); each lane starts a
// new page, with its group and lane in its heading and a column to write in.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { activityReportSchema, doorListSchema, type DoorList } from '../../../shared/console';
import { formatDate, formatNumber } from '../../i18n';
import { navigate, paths } from '../../router';
import type { HttpOptions } from '../../sync/http';
import { groupOrder } from '../supervisor/ReportSections';
import { DataFailure } from './DataFailure';
import { useServerData } from './useServerData';
import './DoorsPage.css';

export function doorsPath(group: string, lane?: string): string {
  const q = new URLSearchParams({ group });
  if (lane) q.set('lane', lane);
  return `/api/v1/reports/doors?${q.toString()}`;
}

function LaneTable({ list, lane }: { list: DoorList; lane: DoorList['lanes'][number] }) {
  const { t, i18n } = useTranslation('supervisor');
  const id = `doors-lane-${list.lanes.indexOf(lane)}`;
  return (
    <section className="doors-lane">
      <h2 id={id}>
        {list.group} · {lane.lane || t('doors.noLane')} <span className="muted">({t('doors.count', { count: lane.doors.length, n: formatNumber(lane.doors.length, i18n.language) })})</span>
      </h2>
      {/* Scrolls inside itself on a phone; on paper it is the full width (DoorsPage.css). */}
      <div className="table-scroll doors-scroll" role="region" aria-labelledby={id} tabIndex={0}>
      <table className="data-table doors-table" aria-labelledby={id}>
        <thead>
          <tr>
            <th scope="col">{t('doors.houseNumber')}</th>
            <th scope="col">{t('doors.subLane')}</th>
            <th scope="col">{t('doors.street')}</th>
            <th scope="col">{t('doors.head')}</th>
            <th scope="col">{t('doors.why')}</th>
            <th scope="col">{t('doors.notes')}</th>
          </tr>
        </thead>
        <tbody>
          {lane.doors.map((d) => (
            <tr key={d.householdId}>
              <th scope="row">{d.houseNumber}</th>
              <td>{d.subLane ?? ''}</td>
              <td>{d.street}</td>
              <td>{d.headName ?? ''}</td>
              <td>{d.reason === 'unknocked' ? t('doors.unknocked') : t('doors.followUp', { date: formatDate(d.followUpOn ?? list.today, i18n.language) })}</td>
              <td className="doors-write" />
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </section>
  );
}

export function DoorsPage({ group, lane, http }: { group?: string | undefined; lane?: string | undefined; http?: HttpOptions }) {
  const { t, i18n } = useTranslation('supervisor');
  const groupsState = useServerData(activityReportSchema, '/api/v1/reports/activity', http).state;
  const groups = groupsState.status === 'ok' ? groupsState.data.targets.groups.map((g) => g.group).sort(groupOrder.compare) : group ? [group] : [];
  const { state, reload } = useServerData(doorListSchema, group ? doorsPath(group, lane) : undefined, http);
  const [draft, setDraft] = useState({ group: group ?? '', lane: lane ?? '' });
  const lanes = state.status === 'ok' && !lane ? state.data.lanes.map((l) => l.lane).filter(Boolean) : lane ? [lane] : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.group) navigate(paths.consoleDoors(draft.group, draft.lane || undefined));
  };
  return (
    <section className="screen console-doors">
      <h1>{t('doors.title')}</h1>
      <form className="console-filters doors-form" onSubmit={submit}>
        <p className="hint">{t('doors.intro')}</p>
        <div className="console-filter-fields">
          <label>
            {t('filters.group')}
            <select value={draft.group} onChange={(e) => setDraft({ group: e.target.value, lane: '' })} required>
              <option value="">{t('doors.pickGroup')}</option>
              {groups.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('doors.lane')}
            <select value={draft.lane} onChange={(e) => setDraft((d) => ({ ...d, lane: e.target.value }))} disabled={!draft.group || draft.group !== group}>
              <option value="">{t('doors.allLanes')}</option>
              {lanes.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="console-filter-actions">
          <button type="submit" className="button primary" disabled={!draft.group}>
            {t('doors.show')}
          </button>
          {state.status === 'ok' && (
            <button type="button" className="button" onClick={() => window.print()}>
              {t('doors.print')}
            </button>
          )}
        </div>
      </form>
      {state.status === 'loading' && (
        <p className="loading" role="status">
          {t('loading')}
        </p>
      )}
      {state.status === 'failed' && <DataFailure reason={state.reason} onRetry={reload} />}
      {state.status === 'ok' && (
        <>
          <p className="doors-meta">
            {t('doors.meta', { ward: state.data.wardCode, group: state.data.group, date: formatDate(state.data.today, i18n.language) })}
          </p>
          {state.data.lanes.length === 0 ? (
            <p className="empty">{t('doors.empty')}</p>
          ) : (
            state.data.lanes.map((l) => <LaneTable key={l.lane} list={state.data} lane={l} />)
          )}
        </>
      )}
    </section>
  );
}
