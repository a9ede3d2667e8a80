// The streaming visits export: keyset pages of PAGE_SIZE visits in
// (at in UTC, id) order, each page one SQL query joined to its household and
// volunteer, turned into CSV and handed to the reply before the next page is
// read. Memory stays at about one page whatever the ward's size, and on SQLite
// the single connection is free between pages for pushes and pulls.
//
// The order is served by the records_visit_at index (migration 2), so every
// page is an index range scan: the whole export is linear in the number of
// visits. Every join names the visit's ward: a household or a user of another
// ward never lends its data to this ward's file. Pages are separate statements, not one snapshot: a visit pushed
// during an export appears in it if its key is after the current page.
import { sql } from 'kysely';
import type { Household, Visit } from '../../shared/schemas';
import type { Tombstone } from '../../shared/protocol';
import type { Db } from '../db';
import { BOM, HEADER_LINE, csvLine, visitCells } from './csv';
import { reportSql } from './sql';

const PAGE_SIZE = 500;

export interface ExportRange {
  /** Inclusive lower bound on the visit's instant. */
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
}

interface PageRow {
  id: string;
  k: string | number;
  data: string;
  h_data: string | null;
  h_deleted: number | null;
  volunteer_name: string | null;
}

export async function* visitsCsv(db: Db, wardCode: string, range: ExportRange = {}, pageSize = PAGE_SIZE): AsyncGenerator<Buffer> {
  const R = reportSql(db.dialect);
  const key = R.visitAt('v.data');
  yield Buffer.from(BOM + HEADER_LINE, 'utf8');
  let after: { k: string | number; id: string } | undefined;
  for (;;) {
    const { rows } = await sql<PageRow>`
      select v.id, ${key} as k, v.data, h.data as h_data, h.deleted as h_deleted, u.display_name as volunteer_name
      from records v
      left join records h
        on h.entity = 'household' and h.id = ${R.text(R.doc('v.data'), ['householdId'])} and h.ward_code = v.ward_code
      left join users u on u.id = ${R.text(R.doc('v.data'), ['volunteerId'])} and u.ward_code = v.ward_code
      where v.ward_code = ${wardCode} and v.entity = ${sql.lit('visit')} and v.deleted = 0
        ${range.from ? sql`and ${key} >= ${R.atKeyOf(range.from)}` : sql``}
        ${range.to ? sql`and ${key} < ${R.atKeyOf(range.to)}` : sql``}
        ${after ? sql`and (${key}, v.id) > (${after.k}, ${after.id})` : sql``}
      order by ${key}, v.id
      limit ${pageSize}
    `.execute(db.kysely);
    if (rows.length === 0) return;
    let chunk = '';
    for (const r of rows) {
      chunk += csvLine(
        visitCells({
          visit: JSON.parse(r.data) as Visit,
          household: r.h_data === null ? null : (JSON.parse(r.h_data) as Household | Tombstone),
          householdDeleted: Number(r.h_deleted) === 1,
          volunteerName: r.volunteer_name,
        }),
      );
    }
    yield Buffer.from(chunk, 'utf8');
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { k: last.k, id: last.id };
  }
}
