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
//
// A page costs a fixed number of IndexedDB requests, however many records it
// holds (first sync brings thousands; a request per record took minutes on a
// phone): the stored cursor, one read each of the outbox and the attention rows
// about the page's records, one bulk put and one bulk delete per table (each
// with one bulk read of the rows it replaces), one refresh of the follow-up
// index for the households and walk-ins the page touched, its cases included
// (database.ts refreshDueRows: a few reads, at most two writes), the cursor.
// The page is first worked out in memory, change by change in page order, so
// the outcome is the one applying the changes one at a time would give: a
// later change of the same record wins, a skipped one changes nothing.
import { refreshDue, type AttentionItem, type GoCuaDB, type HouseholdRow, type OutboxEntry } from './database';
import { getMeta, setMeta } from './meta';
import { putRows, removeRows, type Touched } from './records';
import { entitySchemas, type Entity, type EntityRecord } from '../../shared/schemas';
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

/** One record's identity as a map key (entity names hold no colon). */
const keyOf = (entity: Entity, id: string) => `${entity}:${id}`;

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** What the page leaves of one record: a record to store, or nothing (dropped). */
interface Outcome {
  entity: Entity;
  id: string;
  record: EntityRecord[Entity] | undefined;
}

/**
 * What each change of a page means, worked out before its transaction: a drop
 * (a tombstone or a removal), a record read with its schema, or nothing (a
 * change we cannot read, skipped). Pure: pullAll works out the page it
 * downloaded ahead while IndexedDB stores the one before, so the schema checks
 * (5–9 % of a first sync) are off the critical path.
 */
export interface ReadPage {
  page: PullResponse;
  read: Array<{ drop: true } | { drop: false; record: EntityRecord[Entity] } | undefined>;
}

export function readPulledPage(page: PullResponse): ReadPage {
  return {
    page,
    read: page.changes.map((change) => {
      const drop = isDrop(change);
      if (drop === false) return undefined; // a tombstone we cannot read is skipped, like any unreadable record
      if (drop) return { drop: true };
      const parsed = entitySchemas[change.entity].safeParse(change.record);
      // The server validates; a record we cannot read is skipped, not stored half-valid.
      return parsed.success ? { drop: false, record: parsed.data } : undefined;
    }),
  };
}

/**
 * Stores a page and its cursor in one transaction, if the stored cursor is still
 * `from`, the cursor the page was asked for after. Otherwise (the cursor was reset
 * meanwhile because the user's groups changed) nothing is stored and the answer
 * is 'cursor_moved': the caller pulls again from the stored cursor. Returns how
 * many changes were applied.
 */
export async function storePulledPage(db: GoCuaDB, pulled: PullResponse | ReadPage, from: number): Promise<number | 'cursor_moved'> {
  const { page, read } = 'read' in pulled ? pulled : readPulledPage(pulled);
  const seen = new Map<string, [Entity, string]>();
  for (const c of page.changes) seen.set(keyOf(c.entity, c.id), [c.entity, c.id]);
  const ids = [...seen.values()];
  return db.transaction('rw', [db.households, db.people, db.visits, db.cases, db.outbox, db.attention, db.meta], async () => {
    if ((await pullCursor(db)) !== from) return 'cursor_moved';
    const [outbox, attention] = await Promise.all([
      db.outbox.where('[entity+id]').anyOf(ids).toArray(),
      db.attention.where('[entity+recordId]').anyOf(ids).toArray(),
    ]);
    // What the volunteer changed and the server has not taken yet stays visible:
    // first edits the server rejected (still waiting for a person), in the order
    // they were rejected, then the queue in its order.
    const pending = groupBy(
      outbox.sort((a, b) => a.seq! - b.seq!),
      (e: OutboxEntry) => keyOf(e.entity, e.id),
    );
    const rejected = groupBy(
      attention.filter((a) => a.kind === 'rejected').sort((a, b) => a.key! - b.key!),
      (a: AttentionItem) => keyOf(a.entity, a.recordId),
    );
    const outcomes = new Map<string, Outcome>();
    const dropped = new Set<string>(); // records whose attention items go with them
    let stored = 0;
    for (const [i, change] of page.changes.entries()) {
      const k = keyOf(change.entity, change.id);
      const mine = [...(rejected.get(k) ?? []), ...(pending.get(k) ?? [])];
      const r = read[i];
      if (!r) continue;
      if (r.drop) {
        if (mine.length > 0) continue;
        outcomes.set(k, { entity: change.entity, id: change.id, record: undefined });
        dropped.add(k);
        stored++;
        continue;
      }
      let record = r.record;
      for (const e of mine) record = applyFields(record, e.fields);
      outcomes.set(k, { entity: change.entity, id: change.id, record });
      stored++;
    }
    const kept = [...outcomes.values()];
    const households: string[] = [];
    const visits: string[] = [];
    const known = new Map<string, HouseholdRow | undefined>();
    const touch = (t: Touched) => {
      households.push(...t.households);
      visits.push(...t.visits);
      for (const [id, row] of t.known ?? []) known.set(id, row);
    };
    for (const [entity, group] of groupBy(kept.filter((o) => o.record), (o) => o.entity)) {
      touch(await putRows(db, entity, group.map((o) => o.record!), known));
    }
    for (const [entity, group] of groupBy(kept.filter((o) => !o.record), (o) => o.entity)) {
      touch(await removeRows(db, entity, group.map((o) => o.id)));
    }
    // Home's follow-up count (the `_due` index) for every household and walk-in
    // the page touched, its cases' included, once.
    await refreshDue(db, households, visits, known);
    const stale = attention.filter((a) => dropped.has(keyOf(a.entity, a.recordId))).map((a) => a.key!);
    if (stale.length > 0) await db.attention.bulkDelete(stale);
    await setMeta(db, CURSOR, page.cursor);
    return stored;
  });
}
