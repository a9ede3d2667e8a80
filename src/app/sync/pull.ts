// Brings down what teammates recorded, so two people never knock on the same
// door twice: page after page from the stored cursor until the server has no
// more. How a page is stored (with its cursor, under pending local edits) is
// db/pulledPages.ts.
//
// The next page downloads, and is checked against the schemas, while the
// current one is being stored, so the network, the checks and IndexedDB work
// at the same time. The cursor still only moves
// with a stored page: a page is stored only after the one before it, and only
// if the stored cursor is still the one it was asked after (a reset for new
// groups meanwhile restarts from the reset cursor). A store that fails throws
// before the cursor moves, and the page downloaded ahead is dropped.
//
// Pages are as big as the server allows (PULL_MAX_LIMIT, 1,000 changes), not
// the server's default for callers that name no limit: a page costs a round
// trip and one IndexedDB transaction with a fixed number of requests, so a
// first sync of 10,000 records is 10 of each rather than 20 (bench/first-sync.ts).
import type { GoCuaDB } from '../db/database';
import { pullCursor, readPulledPage, storePulledPage, type ReadPage } from '../db/pulledPages';
import { pullResponseSchema, PULL_MAX_LIMIT } from '../../shared/protocol';
import { requestJson, type HttpFailure, type HttpOptions } from './http';
import type { DeviceReport } from '../../shared/protocol';
import { reportQuery } from './deviceReport';

/** How many changes the device asks for per page. */
export const PULL_PAGE_LIMIT = PULL_MAX_LIMIT;

export async function pullAll(
  db: GoCuaDB,
  http: HttpOptions,
  onPage?: (serverDate?: number) => void,
  userId?: string,
  device?: { clientId: string; report: DeviceReport },
): Promise<{ ok: true; pulled: number } | HttpFailure> {
  const user = userId ? `&user=${encodeURIComponent(userId)}` : '';
  // The device's report rides on the first page only: one note per sync.
  const fetchPage = (cursor: number, first = false) =>
    requestJson(
      pullResponseSchema,
      `/api/v1/sync/pull?cursor=${cursor}&limit=${PULL_PAGE_LIMIT}${user}${first && device ? `&${reportQuery(device.clientId, device.report)}` : ''}`,
      {},
      http,
    );
  let pulled = 0;
  let from = await pullCursor(db);
  let res: Awaited<ReturnType<typeof fetchPage>> & { read?: ReadPage } = await fetchPage(from, true);
  for (;;) {
    if (!res.ok) return res;
    const readAhead = res.read;
    onPage?.(res.serverDate);
    const page = res.data;
    // The page ahead is also read with its schemas as soon as it arrives, while
    // IndexedDB stores this one (db/pulledPages.ts readPulledPage).
    const ahead = page.hasMore ? fetchPage(page.cursor).then((r) => (r.ok ? { ...r, read: readPulledPage(r.data) } : r)) : undefined;
    // If the store throws, the page downloaded ahead is abandoned: nothing waits for it.
    ahead?.catch(() => undefined);
    const stored = await storePulledPage(db, readAhead ?? page, from);
    if (stored === 'cursor_moved') {
      from = await pullCursor(db);
      res = await fetchPage(from);
      continue;
    }
    pulled += stored;
    if (!ahead) return { ok: true, pulled };
    from = page.cursor;
    res = await ahead;
  }
}
