// GET /api/v1/reports/city: one row per ward, read from ward_stats (the
// incremental aggregates, aggregates.ts) in one statement, whatever the
// wards' sizes: a few hundred counter rows per ward, summed in SQL to about
// fifty (birth years folded into people.elderly). Ward names and targets come
// from the `wards` table when this database has one (migration 6), else the
// row's name is its code.
import { sql, type Kysely } from 'kysely';
import { wardDashboardPath, type CityReport, type CityWard } from '../../shared/reports';
import type { DB, Db, Dialect } from '../db';
import { elderlyFolding, priorityOf } from './aggregates';
import { funnelOf } from './summary';

/** Groups and wards in Vietnamese order, numbers by value (TDP 2 before TDP 10). Made once: a collator is costly to build. */
const VI_ORDER = new Intl.Collator('vi', { numeric: true });

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
  const fold = elderlyFolding(year);
  const [stats, names] = await db.readTx(async (trx) => [
    (
      await sql<{ ward_code: string; metric: string; value: number | string }>`
        select ward_code, ${fold.metric} as metric, sum(value) as value
          from ward_stats
         where metric not like 'blocked.%' and ${fold.keep}
         group by 1, 2`.execute(trx)
    ).rows,
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
  const wards: CityWard[] = [...byWard].map(([code, m]) => {
    const target = named.get(code)?.target_independent;
    return {
      code,
      name: named.get(code)?.name ?? code,
      dashboard: wardDashboardPath(code),
      households: m.get('households') ?? 0,
      visited: m.get('households.visited') ?? 0,
      people: m.get('people') ?? 0,
      priorityPeople: priorityOf(m),
      priorityPeopleReached: priorityOf(m, 'reached'),
      independentPeople: m.get('people.independent') ?? 0,
      targetIndependent: target === null || target === undefined ? null : Number(target),
      funnel: funnelOf(m),
      openCases: m.get('cases.open') ?? 0,
      inProgressCases: m.get('cases.in_progress') ?? 0,
    };
  });
  wards.sort((a, b) => VI_ORDER.compare(a.name, b.name) || VI_ORDER.compare(a.code, b.code));
  return { generatedAt: now.toISOString(), wards };
}
