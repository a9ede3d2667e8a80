// GET /api/v1/reports/city: one row per ward, read from ward_stats (the
// incremental aggregates, aggregates.ts) in one statement, whatever the
// wards' sizes: about 300 counter rows per ward. Ward names and targets come
// from the `wards` table when this database has one (migration 6), else the
// row's name is its code.
import { sql, type Kysely } from 'kysely';
import { wardDashboardPath, type CityReport, type CityWard } from '../../shared/reports';
import type { DB, Db, Dialect } from '../db';
import { priorityOf } from './aggregates';
import { funnelOf } from './summary';

interface WardRow {
  code: string;
  name: string;
  target_independent: number | string | null;
}

async function hasTable(trx: Kysely<DB>, dialect: Dialect, table: string): Promise<boolean> {
  const q =
    dialect === 'sqlite'
      ? sql`select 1 as x from sqlite_master where type = 'table' and name = ${table}`
      : sql`select 1 as x from information_schema.tables where table_schema = current_schema() and table_name = ${table}`;
  return (await q.execute(trx)).rows.length > 0;
}

/** The wards table's rows (code, name, target), or none when this database has no such table. */
async function wardNames(trx: Kysely<DB>, dialect: Dialect): Promise<WardRow[]> {
  if (!(await hasTable(trx, dialect, 'wards'))) return [];
  return (await sql<WardRow>`select code, name, target_independent from wards`.execute(trx)).rows;
}

export async function cityReport(db: Db, now: Date): Promise<CityReport> {
  const year = now.getFullYear(); // as shared/priority.ts's isElderly
  const [stats, names] = await db.readTx(async (trx) => [
    await trx.selectFrom('ward_stats').select(['ward_code', 'metric', 'value']).where('metric', 'not like', 'blocked.%').execute(),
    await wardNames(trx, db.dialect),
  ]);
  const byWard = new Map<string, Map<string, number>>();
  for (const w of names) byWard.set(w.code, new Map());
  for (const r of stats) {
    let m = byWard.get(r.ward_code);
    if (!m) byWard.set(r.ward_code, (m = new Map()));
    m.set(r.metric, Number(r.value));
  }
  const named = new Map(names.map((w) => [w.code, w]));
  const collator = new Intl.Collator('vi', { numeric: true });
  const wards: CityWard[] = [...byWard].map(([code, m]) => {
    const target = named.get(code)?.target_independent;
    return {
      code,
      name: named.get(code)?.name ?? code,
      dashboard: wardDashboardPath(code),
      households: m.get('households') ?? 0,
      visited: m.get('households.visited') ?? 0,
      people: m.get('people') ?? 0,
      priorityPeople: priorityOf(m, year),
      priorityPeopleReached: priorityOf(m, year, 'reached'),
      independentPeople: m.get('people.independent') ?? 0,
      targetIndependent: target === null || target === undefined ? null : Number(target),
      funnel: funnelOf(m),
      openCases: m.get('cases.open') ?? 0,
      inProgressCases: m.get('cases.in_progress') ?? 0,
    };
  });
  wards.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.code, b.code));
  return { generatedAt: now.toISOString(), wards };
}
