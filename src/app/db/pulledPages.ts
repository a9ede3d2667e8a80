// Storing what a pull brought down. Each page is stored together with its
// cursor in one transaction: a crash between pages resumes from the last stored
// page, never skips one.
//
// A pulled record never overwrites a local edit still waiting in the outbox:
// the server's version is taken as the base and the pending fields are applied
// on top, so the volunteer's unsynced change stays visible and will still sync.
//
// A tombstone (record.deleted, in its minimal form) or a removal (record null,
// removed "out_of_scope": the record left this user's groups) deletes the local
// copy, with its index fields and any conflict items about it, so nothing
// personal stays on the phone. Unless something of the volunteer's is still
// about it: an outbox entry (it is pushed next, and the server answers it,
// e.g. forbidden or deleted) or a rejected item in "needs attention" (the
// volunteer sees the reason and decides). Then the local copy stays as it is.
import type { GoCuaDB } from './database';
import { getMeta, setMeta } from './meta';
import { putRecord, removeRecord } from './records';
import { entitySchemas } from '../../shared/schemas';
import { applyFields } from '../../shared/fields';
import { tombstoneSchema, type PullChange, type PullResponse } from '../../shared/protocol';

const CURSOR = 'sync.cursor';

/** Where the next pull starts: the cursor of the last stored page. */
export async function pullCursor(db: GoCuaDB): Promise<number> {
  return (await getMeta<number>(db, CURSOR)) ?? 0;
}

/** Starts the next pull from the beginning (after the user's groups changed). */
export async function resetPullCursor(db: GoCuaDB): Promise<void> {
  await setMeta(db, CURSOR, 0);
}

/** The record must leave this device: a tombstone or a removal. Undefined when the change is a record to store. */
function isDrop(change: PullChange): boolean | undefined {
  if (change.record === null) return true;
  if (change.record.deleted !== true) return undefined;
  return tombstoneSchema.safeParse(change.record).success;
}

export async function storePulledPage(db: GoCuaDB, page: PullResponse): Promise<number> {
  let stored = 0;
  await db.transaction('rw', [db.households, db.people, db.visits, db.outbox, db.attention, db.meta], async () => {
    for (const change of page.changes) {
      // What the volunteer changed and the server has not taken yet stays visible:
      // first edits the server rejected (still waiting for a person), then the queue.
      const rejected = await db.attention
        .where('[entity+recordId]')
        .equals([change.entity, change.id])
        .and((a) => a.kind === 'rejected')
        .sortBy('key');
      const pending = await db.outbox.where('[entity+id]').equals([change.entity, change.id]).sortBy('seq');
      const drop = isDrop(change);
      if (drop === false) continue; // a tombstone we cannot read is skipped, like any unreadable record
      if (drop) {
        if (rejected.length > 0 || pending.length > 0) continue;
        await removeRecord(db, change.entity, change.id);
        await db.attention.where('[entity+recordId]').equals([change.entity, change.id]).delete();
        stored++;
        continue;
      }
      const parsed = entitySchemas[change.entity].safeParse(change.record);
      if (!parsed.success) continue; // the server validates; a record we cannot read is skipped, not stored half-valid
      let record = parsed.data;
      for (const e of [...rejected, ...pending]) record = applyFields(record, e.fields);
      await putRecord(db, change.entity, record);
      stored++;
    }
    await setMeta(db, CURSOR, page.cursor);
  });
  return stored;
}
