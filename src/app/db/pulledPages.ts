// Storing what a pull brought down. Each page is stored together with its
// cursor in one transaction: a crash between pages resumes from the last stored
// page, never skips one.
//
// A pulled record never overwrites a local edit still waiting in the outbox:
// the server's version is taken as the base and the pending fields are applied
// on top, so the volunteer's unsynced change stays visible and will still sync.
import type { GoCuaDB } from './database';
import { getMeta, setMeta } from './meta';
import { putRecord } from './records';
import { entitySchemas } from '../../shared/schemas';
import { applyFields } from '../../shared/fields';
import type { PullResponse } from '../../shared/protocol';

const CURSOR = 'sync.cursor';

/** Where the next pull starts: the cursor of the last stored page. */
export async function pullCursor(db: GoCuaDB): Promise<number> {
  return (await getMeta<number>(db, CURSOR)) ?? 0;
}

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
      await putRecord(db, change.entity, record);
      stored++;
    }
    await setMeta(db, CURSOR, page.cursor);
  });
  return stored;
}
