// GET /api/v1/sync/pull: changes after a cursor, in version order.
//
// The cursor is the ward's version sequence (ward_counters, see push.ts). Push
// transactions hold the ward's counter row lock from the moment they take a
// version until they commit, so versions in a ward become visible strictly in
// order: any snapshot sees all versions <= some v and none above. Hence
// returning rows with version > cursor and moving the cursor to the last one
// returned can never skip a row that commits later with a lower number.
//
// Two streams share that counter and are merged by version: the records in the
// user's scope, and the exits of records that left it (scope-exits.ts), sent as
// { record: null, removed: "out_of_scope" }. Each stream is read up to limit + 1
// rows; the merged page is the first `limit`. Every row of either stream at or
// below the page's last version is in the page (a stream cut short has its
// unread rows above its last read one, which is above the page's end), so
// paging by the integer cursor still never skips or repeats.
//
// When a page is not full, the cursor may also move up to the ward counter read
// BEFORE the page query: every version up to that value was committed then, so
// rows in that range outside the caller's scope cannot turn up later. That
// keeps a volunteer's cursor moving when only other groups change.
import type { PullChange, PullResponse } from '../shared/protocol';
import type { Entity } from '../shared/schemas';
import type { Db } from './db';
import { scopeFilter } from './scope';
import { exitsAfter } from './scope-exits';
import type { AuthUser } from './users';

export async function pull(db: Db, user: AuthUser, cursor: number, limit: number): Promise<PullResponse> {
  // One snapshot: the records and the exits of one push must be seen together,
  // or an exit read after a commit could move the cursor past a record of the
  // same push that the earlier records query missed.
  return db.readTx(async (trx) => {
    const counter = await trx
      .selectFrom('ward_counters')
      .select('seq')
      .where('ward_code', '=', user.wardCode)
      .executeTakeFirst();
    const committed = Number(counter?.seq ?? 0);

    let q = trx
      .selectFrom('records')
      .select(['entity', 'id', 'data', 'version'])
      .where('ward_code', '=', user.wardCode)
      .where('version', '>', cursor)
      .orderBy('version')
      .limit(limit + 1);
    const scope = scopeFilter(user, db.dialect);
    if (scope) q = q.where(scope);
    const rows = await q.execute();
    const exits = await exitsAfter(trx, user, cursor, limit + 1);

    const merged: PullChange[] = [
      ...rows.map((r) => ({
        entity: r.entity as Entity,
        id: r.id,
        record: JSON.parse(r.data) as Record<string, unknown>,
        version: Number(r.version),
      })),
      ...exits.map((e) => ({ entity: e.entity as Entity, id: e.id, record: null, removed: 'out_of_scope' as const, version: Number(e.version) })),
    ].sort((a, b) => a.version - b.version);
    const hasMore = merged.length > limit;
    const page = hasMore ? merged.slice(0, limit) : merged;
    const lastVersion = page.length > 0 ? page[page.length - 1]!.version : cursor;
    return {
      changes: page,
      cursor: hasMore ? lastVersion : Math.max(lastVersion, committed, cursor),
      hasMore,
    };
  });
}
