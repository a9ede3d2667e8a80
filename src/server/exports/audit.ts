// The export audit: one row per export, by the route or the CLI, written
// BEFORE the first byte (status 'started'), completed when the download ends:
// 'complete' with its row count, or 'incomplete' (the client went away, the
// database failed) with the rows written by then. No personal data: the
// reason is the supervisor's own words for why they needed full detail.
import { sql } from 'kysely';
import { uuidv7 } from '../../shared/ids';
import type { ExportAudit } from '../../shared/exports';
import type { Db, ExportAuditTable } from '../db';

export type AuditStart = Omit<ExportAudit, 'id' | 'rows' | 'status'>;

export async function startAudit(db: Db, entry: AuditStart): Promise<string> {
  const id = uuidv7(Date.parse(entry.at));
  await db.kysely
    .insertInto('export_audit')
    .values({
      id,
      at: entry.at,
      user_id: entry.userId,
      role: entry.role,
      ward_code: entry.ward,
      dataset: entry.dataset,
      format: entry.format,
      from_day: entry.from,
      to_day: entry.to,
      group_code: entry.group,
      detail: entry.detail,
      reason: entry.reason,
      rows: 0,
      status: 'started',
    })
    .execute();
  return id;
}

export async function finishAudit(db: Db, id: string, rows: number, status: 'complete' | 'incomplete'): Promise<void> {
  await db.kysely.updateTable('export_audit').set({ rows, status }).where('id', '=', id).execute();
}

const toAudit = (r: ExportAuditTable): ExportAudit => ({
  id: r.id,
  at: r.at,
  userId: r.user_id,
  role: r.role,
  ward: r.ward_code,
  dataset: r.dataset as ExportAudit['dataset'],
  format: r.format as ExportAudit['format'],
  from: r.from_day,
  to: r.to_day,
  group: r.group_code,
  detail: r.detail as ExportAudit['detail'],
  reason: r.reason,
  rows: Number(r.rows),
  status: r.status as ExportAudit['status'],
});

/**
 * Newest first (ids are UUIDv7 of `at`), `limit` at a time. `wards` is the
 * caller's ward, or '*' for every ward (the city role, not built yet).
 * `cursor` is the last id of the previous page.
 */
export async function listAudit(db: Db, wards: string | '*', limit: number, cursor?: string): Promise<{ exports: ExportAudit[]; cursor: string | null; hasMore: boolean }> {
  const rows = await db.kysely
    .selectFrom('export_audit')
    .selectAll()
    .$if(wards !== '*', (q) => q.where('ward_code', '=', wards))
    .$if(cursor !== undefined, (q) => q.where('id', '<', cursor!))
    .orderBy(sql`id`, 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).map(toAudit);
  const hasMore = rows.length > limit;
  return { exports: page, cursor: hasMore ? page[page.length - 1]!.id : null, hasMore };
}
