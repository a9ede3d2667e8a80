// The ward's attention view (#/console/attention): every rejected mutation
// and open conflict of the ward (GET /api/v1/attention, whole ward for a
// supervisor), newest first, with who, when and which record. Values of the
// records are not shown here (they may be personal): the volunteer's phone
// holds them and resolves them; this page tells the supervisor whom to call.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { attentionPageSchema, type AttentionPage as Page } from '../../../shared/console';
import { formatDate } from '../../i18n';
import type { HttpOptions } from '../../sync/http';
import { DataFailure } from './DataFailure';
import { fetchData, type DataState } from './useServerData';

const PATH = '/api/v1/attention';

function When({ at }: { at: string }) {
  const { i18n } = useTranslation();
  return <time dateTime={at}>{Number.isNaN(Date.parse(at)) ? at : formatDate(at, i18n.language, { dateStyle: 'short', timeStyle: 'short' })}</time>;
}

/** A record as the supervisor can name it: its kind and the start of its id. */
function RecordRef({ entity, id }: { entity: string; id: string }) {
  const { t } = useTranslation('supervisor');
  return (
    <>
      {t(`attention.entities.${entity}`, { defaultValue: entity })} <code title={id}>{id.slice(0, 8)}</code>
    </>
  );
}

export function AttentionPage({ http }: { http?: HttpOptions }) {
  const { t } = useTranslation('supervisor');
  const [pages, setPages] = useState<Page[]>([]);
  const [state, setState] = useState<DataState<Page>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const load = useCallback(
    async (cursor?: string) => {
      setState({ status: 'loading' });
      const next = await fetchData(attentionPageSchema, cursor ? `${PATH}?cursor=${encodeURIComponent(cursor)}` : PATH, http);
      setState(next);
      if (next.status === 'ok') setPages((p) => (cursor ? [...p, next.data] : [next.data]));
    },
    [http],
  );
  useEffect(() => {
    void load();
  }, [load, attempt]);

  const rejected = pages.flatMap((p) => p.rejected);
  const conflicts = pages.flatMap((p) => p.conflicts);
  const last = pages.at(-1);
  const who = (r: { userName?: string | null | undefined; userId: string }) => r.userName ?? r.userId;

  return (
    <section className="screen console-attention">
      <h1>{t('attention.title')}</h1>
      <p className="hint">{t('attention.intro')}</p>
      {state.status === 'failed' && <DataFailure reason={state.reason} onRetry={() => setAttempt((a) => a + 1)} />}
      {pages.length > 0 && (
        <>
          <section className="report-section">
            <h2 id="attention-rejected">{t('attention.rejected', { count: rejected.length })}</h2>
            {rejected.length === 0 ? (
              <p className="empty">{t('attention.noneRejected')}</p>
            ) : (
              <div className="table-scroll" role="region" aria-labelledby="attention-rejected" tabIndex={0}>
                <table className="data-table console-table" aria-labelledby="attention-rejected">
                  <thead>
                    <tr>
                      <th scope="col">{t('attention.when')}</th>
                      <th scope="col">{t('attention.who')}</th>
                      <th scope="col">{t('attention.record')}</th>
                      <th scope="col">{t('attention.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rejected.map((r) => (
                      <tr key={r.id}>
                        <td><When at={r.at} /></td>
                        <th scope="row">{who(r)}</th>
                        <td><RecordRef entity={r.entity} id={r.recordId} /></td>
                        <td>
                          {t(`attention.codes.${r.error.code}`, { defaultValue: r.error.code })}
                          {r.error.path && <> · <code>{r.error.path}</code></>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section className="report-section">
            <h2 id="attention-conflicts">{t('attention.conflicts', { count: conflicts.length })}</h2>
            {conflicts.length === 0 ? (
              <p className="empty">{t('attention.noneConflicts')}</p>
            ) : (
              <div className="table-scroll" role="region" aria-labelledby="attention-conflicts" tabIndex={0}>
                <table className="data-table console-table" aria-labelledby="attention-conflicts">
                  <thead>
                    <tr>
                      <th scope="col">{t('attention.when')}</th>
                      <th scope="col">{t('attention.who')}</th>
                      <th scope="col">{t('attention.record')}</th>
                      <th scope="col">{t('attention.field')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {conflicts.map((c) => (
                      <tr key={c.id}>
                        <td><When at={c.at} /></td>
                        <th scope="row">{who(c)}</th>
                        <td><RecordRef entity={c.entity} id={c.recordId} /></td>
                        <td><code>{c.field}</code></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
      {state.status === 'loading' && (
        <p className="loading" role="status">
          {t('loading')}
        </p>
      )}
      {last?.hasMore && state.status === 'ok' && (
        <button type="button" className="button" onClick={() => void load(last.cursor)}>
          {t('attention.more')}
        </button>
      )}
    </section>
  );
}
