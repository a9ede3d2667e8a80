// Brings down what teammates recorded, so two people never knock on the same
// door twice. Each page is stored together with its cursor in one transaction:
// a crash between pages resumes from the last stored page, never skips one.
//
// A pulled record never overwrites a local edit still waiting in the outbox:
// the server's version is taken as the base and the pending fields are applied
// on top, so the volunteer's unsynced change stays visible and will still sync.
import type { GoCuaDB } from '../db/database';
import { toHouseholdRow, toPersonRow, toVisitRow } from '../db/database';
import { getMeta, setMeta } from '../db/meta';
import { entitySchemas } from '../../shared/schemas';
import { applyFields } from '../../shared/fields';
import { pullResponseSchema, PULL_DEFAULT_LIMIT, type PullResponse } from '../../shared/protocol';
import { requestJson, type HttpFailure, type HttpOptions } from './http';

const CURSOR = 'sync.cursor';

/** Starts the next pull from the beginning (after the user's groups changed). */
export async function resetPullCursor(db: GoCuaDB): Promise<void> {
  await setMeta(db, CURSOR, 0);
}

export async function storePulledPage(db: GoCuaDB, page: PullResponse): Promise<number> {
  let stored = 0;
  await db.transaction('rw', [db.households, db.people, db.visits, db.outbox, db.attention, db.meta], async () => {
    for (const change of page.changes) {
      const parsed = entitySchemas[change.entity].safeParse(change.record);
      if (!parsed.success) continue; // the server validates; a record we cannot read is skipped, not stored half-valid
      // What the volunteer changed and the server has not taken yet stays visible:
      // first edits the server rejected (still waiting for a person), then the queue.
      const rejected = await db.attention
        .where('[entity+recordId]')
        .equals([change.entity, change.id])
        .and((a) => a.kind === 'rejected')
        .sortBy('key');
      const pending = await db.outbox.where('[entity+id]').equals([change.entity, change.id]).sortBy('seq');
      let record = parsed.data;
      for (const e of [...rejected, ...pending]) record = applyFields(record, e.fields);
      if (change.entity === 'household') await db.households.put(toHouseholdRow(record as never));
      else if (change.entity === 'person') await db.people.put(toPersonRow(record as never));
      else await db.visits.put(toVisitRow(record as never));
      stored++;
    }
    await setMeta(db, CURSOR, page.cursor);
  });
  return stored;
}

export async function pullAll(
  db: GoCuaDB,
  http: HttpOptions,
  onPage?: (serverDate?: number) => void,
  userId?: string,
): Promise<{ ok: true; pulled: number } | HttpFailure> {
  const user = userId ? `&user=${encodeURIComponent(userId)}` : '';
  let pulled = 0;
  for (;;) {
    const cursor = (await getMeta<number>(db, CURSOR)) ?? 0;
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
