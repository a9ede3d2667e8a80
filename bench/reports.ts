// Supervisor report figures (not a test):
//   npm run bench -- reports
//   DATABASE_URL=postgres://… npm run bench -- reports (or TEST_DATABASE_URL; adds PostgreSQL)
//
// For each database: a fresh database, a real server on a random port, a ward of
// 10,000 generated households (tests/factories/generate.ts, with their people
// and visits, pushed through /sync/push as devices would), plus a second ward of
// 2,000 households so the queries have to filter by ward. Then
//   1. GET /reports/summary: latency, median of SUMMARY_RUNS after a warm-up;
//   2. GET /exports/visits.csv: whole-file download time, rows/s and MB/s,
//      median of EXPORT_RUNS; and the server's heap growth during one export.
// The query plans of the export page and the summary's main scan are printed,
// to show the report indexes (migration 2) in use.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { median } from '../tests/support/scratch';
import type { Db, DbConfig } from '../src/server/db';
import { visitAtKey } from '../src/server/reports/sql';
import type { Mutation } from '../src/shared/protocol';
import { generateWard } from '../tests/factories/generate';
import { ensureWardGroups } from '../src/server/wards';
import { createMutation, pushBody, runBench, withServer, type BenchServer, type BenchUser } from './driver';

const HOUSEHOLDS = 10_000;
const SUMMARY_RUNS = 9;
const EXPORT_RUNS = 5;

async function seed(server: BenchServer, cookie: string, ward: string, households: number, seed: number, volunteerId: string) {
  const w = generateWard({ seed, households, wardCode: ward, volunteerId });
  // Checklist work on helped visits, as the field app records it.
  for (const v of w.visits) {
    if (v.outcome !== 'helped') continue;
    const p = w.people.find((x) => x.householdId === v.householdId);
    if (p) v.people = [{ personId: p.id, steps: [{ platform: 'vneid', step: 'installed', status: 'done' }], independent: [] }];
  }
  const all: Mutation[] = [];
  let seq = 0;
  const add = (entity: Mutation['entity'], r: { id: string; createdAt: string }) => all.push(createMutation(++seq, entity, r));
  for (const h of w.households) add('household', h);
  for (const p of w.people) add('person', p);
  for (const v of w.visits) add('visit', v);
  // Groups are data: a push refuses a group its ward does not have.
  await ensureWardGroups(server.db, ward, [...new Set(w.households.map((h) => h.group))]);
  const clientId = `bench-${randomBytes(6).toString('hex')}`;
  for (let i = 0; i < all.length; i += 500) await server.push(cookie, pushBody(clientId, all.slice(i, i + 500)));
  return w;
}

async function plan(db: Db, ward: string): Promise<string[]> {
  const key = visitAtKey(db.dialect, 'v.data');
  const page = sql`select v.id from records v where v.ward_code = ${ward} and v.entity = ${sql.lit('visit')} and v.deleted = 0
    and (${key}, v.id) > (${db.dialect === 'sqlite' ? '2026-08-01T05:00:00.000Z' : 1785560400000000}, ${''}) order by ${key}, v.id limit 500`;
  const scan = sql`select count(*) from records r where r.ward_code = ${ward} and r.entity = 'person' and r.deleted = 0`;
  const out: string[] = [];
  for (const [label, q] of [['export page', page], ['summary scan', scan]] as const) {
    const explain = db.dialect === 'sqlite' ? sql`explain query plan ${q}` : sql`explain ${q}`;
    const { rows } = await explain.execute(db.kysely);
    const lines = rows.map((r) => String((r as Record<string, unknown>).detail ?? (r as Record<string, unknown>)['QUERY PLAN']));
    out.push(`    ${label}: ${lines.map((l) => l.trim()).join(' | ')}`);
  }
  return out;
}

const USERS: BenchUser[] = [
  { username: 'bench', displayName: 'Nguyễn Thị Ánh', role: 'supervisor', wardCode: 'CUANAM', groups: [] },
  { username: 'other', role: 'supervisor', wardCode: 'OTHER', groups: [] },
];

async function bench(label: string, config: DbConfig, print: (line: string) => void) {
  await withServer(config, USERS, async (server) => {
    const { base, db } = server;
    const cookie = await server.login('bench');
    const t0 = performance.now();
    const w = await seed(server, cookie, 'CUANAM', HOUSEHOLDS, 2026, server.users[0]!.id);
    await seed(server, await server.login('other'), 'OTHER', 2_000, 99, 'vol-other');
    const seedS = (performance.now() - t0) / 1000;
    if (db.dialect === 'postgres') await sql`analyze records`.execute(db.kysely);

    const summaryMs: number[] = [];
    for (let run = 0; run <= SUMMARY_RUNS; run++) {
      const s0 = performance.now();
      const res = await fetch(`${base}/api/v1/reports/summary`, { headers: { cookie } });
      await res.json();
      if (res.status !== 200) throw new Error(`summary ${res.status}`);
      if (run > 0) summaryMs.push(performance.now() - s0);
    }

    const exportMs: number[] = [];
    let bytes = 0;
    let rows = 0;
    let heapGrowthMb = 0;
    for (let run = 0; run <= EXPORT_RUNS; run++) {
      const heap0 = process.memoryUsage().heapUsed;
      let heapMax = heap0;
      const e0 = performance.now();
      // identity: measure the export, not gzip
      const res = await fetch(`${base}/api/v1/exports/visits.csv`, { headers: { cookie, 'accept-encoding': 'identity' } });
      const reader = res.body!.getReader();
      let n = 0;
      let lines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
        for (const b of value) if (b === 0x0a) lines++;
        heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
      }
      if (run > 0) exportMs.push(performance.now() - e0);
      else heapGrowthMb = (heapMax - heap0) / 1e6;
      bytes = n;
      rows = lines - 1;
    }
    const exportS = median(exportMs) / 1000;
    print(`${label}: ${w.households.length} households, ${w.people.length} people, ${w.visits.length} visits (+2,000 households in another ward); seeded via push in ${seedS.toFixed(1)} s`);
    print(`  summary          median ${median(summaryMs).toFixed(1)} ms (min ${Math.min(...summaryMs).toFixed(1)}, max ${Math.max(...summaryMs).toFixed(1)}; ${SUMMARY_RUNS} runs)`);
    print(
      `  visits.csv       median ${(exportS * 1000).toFixed(0)} ms for ${rows} rows, ${(bytes / 1e6).toFixed(2)} MB: ${Math.round(rows / exportS).toLocaleString('en')} rows/s, ${(bytes / 1e6 / exportS).toFixed(1)} MB/s (${EXPORT_RUNS} runs)`,
    );
    print(`  heap growth during the first export (server and client share this process): ${heapGrowthMb.toFixed(1)} MB`);
    for (const line of await plan(db, 'CUANAM')) print(line);
  });
}

export const main = () => runBench('reports', bench);
