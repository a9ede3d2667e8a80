// The exports' audit list (GET /api/v1/audit/exports), newest first, a page at
// a time. Like the summary it lives on the server only; a failure is a value.
import { useCallback, useEffect, useRef, useState } from 'react';
import { exportAuditPageSchema } from '../../../shared/exportAudit';
import type { ExportAudit } from '../../../shared/exports';
import { requestJson, type HttpOptions } from '../../sync/http';
import type { SummaryFailure } from './useReportSummary';

export const AUDIT_PATH = '/api/v1/audit/exports';
export const AUDIT_PAGE_SIZE = 20;

export type AuditState =
  | { status: 'loading' }
  | { status: 'ok'; entries: ExportAudit[]; cursor: string | undefined; hasMore: boolean; loadingMore: boolean; moreFailed: boolean }
  | { status: 'failed'; reason: SummaryFailure };

type Page = { ok: true; entries: ExportAudit[]; cursor: string | undefined; hasMore: boolean } | { ok: false; reason: SummaryFailure };

export async function fetchAuditPage(http: HttpOptions, cursor?: string): Promise<Page> {
  const q = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (cursor) q.set('cursor', cursor);
  const res = await requestJson(exportAuditPageSchema, `${AUDIT_PATH}?${q}`, {}, http);
  if (res.ok) return { ok: true, entries: res.data.entries, cursor: res.data.cursor ?? undefined, hasMore: res.data.hasMore };
  if (res.kind === 'offline' || res.kind === 'timeout') return { ok: false, reason: 'offline' };
  if (res.kind === 'api' && res.status === 401) return { ok: false, reason: 'unauthenticated' };
  if (res.kind === 'api' && res.status === 403) return { ok: false, reason: 'forbidden' };
  return { ok: false, reason: 'failed' };
}

/** The first page on mount and on reload(); loadMore() appends the next. `http` must be stable. */
export function useExportAudit(http: HttpOptions = {}): { state: AuditState; reload: () => void; loadMore: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<AuditState>({ status: 'loading' });
  // The answer of an older request (a reload while "load more" is on the way) is dropped.
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    void fetchAuditPage(http).then((page) => {
      if (mine !== generation.current) return;
      setState(
        page.ok
          ? { status: 'ok', entries: page.entries, cursor: page.cursor, hasMore: page.hasMore, loadingMore: false, moreFailed: false }
          : { status: 'failed', reason: page.reason },
      );
    });
    return () => {
      generation.current += 1;
    };
  }, [attempt, http]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);

  const loadMore = useCallback(() => {
    if (state.status !== 'ok' || !state.hasMore || state.loadingMore) return;
    const mine = generation.current;
    setState({ ...state, loadingMore: true, moreFailed: false });
    void fetchAuditPage(http, state.cursor).then((page) => {
      if (mine !== generation.current) return;
      setState((s) => {
        if (s.status !== 'ok') return s;
        if (!page.ok) return { ...s, loadingMore: false, moreFailed: true };
        const seen = new Set(s.entries.map((e) => e.id));
        return {
          ...s,
          entries: [...s.entries, ...page.entries.filter((e) => !seen.has(e.id))],
          cursor: page.cursor,
          hasMore: page.hasMore,
          loadingMore: false,
        };
      });
    });
  }, [state, http]);

  return { state, reload, loadMore };
}
