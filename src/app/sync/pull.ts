// Brings down what teammates recorded, so two people never knock on the same
// door twice: page after page from the stored cursor until the server has no
// more. How a page is stored (with its cursor, under pending local edits) is
// db/pulledPages.ts.
import type { GoCuaDB } from '../db/database';
import { pullCursor, storePulledPage } from '../db/pulledPages';
import { pullResponseSchema, PULL_DEFAULT_LIMIT } from '../../shared/protocol';
import { requestJson, type HttpFailure, type HttpOptions } from './http';

export async function pullAll(
  db: GoCuaDB,
  http: HttpOptions,
  onPage?: (serverDate?: number) => void,
  userId?: string,
): Promise<{ ok: true; pulled: number } | HttpFailure> {
  const user = userId ? `&user=${encodeURIComponent(userId)}` : '';
  let pulled = 0;
  for (;;) {
    const cursor = await pullCursor(db);
    const res = await requestJson(
      pullResponseSchema,
      `/api/v1/sync/pull?cursor=${cursor}&limit=${PULL_DEFAULT_LIMIT}${user}`,
      {},
      http,
    );
    if (!res.ok) return res;
    onPage?.(res.serverDate);
    pulled += await storePulledPage(db, res.data);
    if (!res.data.hasMore) return { ok: true, pulled };
  }
}
