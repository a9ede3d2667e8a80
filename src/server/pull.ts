// GET /api/v1/sync/pull: changes after a cursor, in version order.
//
// The cursor is the ward's version sequence (ward_counters, see push.ts). Push
// transactions hold the ward's counter row lock from the moment they take a
// version until they commit, so versions in a ward become visible strictly in
// order: any snapshot sees all versions <= some v and none above. Hence
// returning rows with version > cursor and moving the cursor to the last one
// returned can never skip a row that commits later with a lower number.
//
// When a page is not full, the cursor may also move up to the ward counter read
// BEFORE the page query: every version up to that value was committed then, so
// rows in that range outside the caller's scope cannot turn up later. That
// keeps a volunteer's cursor moving when only other groups change.
import type { PullResponse } from '../shared/protocol';
import type { Entity } from '../shared/schemas';
import type { Db } from './db';
import { scopeFilter } from './scope';
import type { AuthUser } from './users';

export async function pull(db: Db, user: AuthUser, cursor: number, limit: number): Promise<PullResponse> {
  const counter = await db.kysely
    .selectFrom('ward_counters')
    .select('seq')
    .where('ward_code', '=', user.wardCode)
    .executeTakeFirst();
  const committed = Number(counter?.seq ?? 0);

  let q = db.kysely
    .selectFrom('records')
    .select(['entity', 'id', 'data', 'version'])
    .where('ward_code', '=', user.wardCode)
    .where('version', '>', cursor)
    .orderBy('version')
    .limit(limit + 1);
  const scope = scopeFilter(user);
  if (scope) q = q.where(scope);
  const rows = await q.execute();
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const lastVersion = page.length > 0 ? Number(page[page.length - 1]!.version) : cursor;
  return {
    changes: page.map((r) => ({
      entity: r.entity as Entity,
      id: r.id,
      record: JSON.parse(r.data) as Record<string, unknown>,
      version: Number(r.version),
    })),
    cursor: hasMore ? lastVersion : Math.max(lastVersion, committed, cursor),
    hasMore,
  };
}
