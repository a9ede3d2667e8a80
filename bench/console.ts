// Console report figures (not a test):
//   npm run bench -- console
//   bash .ci/with-postgres.sh npm run bench -- console   (adds PostgreSQL)
//
// A ward of 10,000 generated households (with people and visits, pushed as
// devices would, visits spread over four weeks) and a second ward of 2,000,
// then the console's reads: GET /reports/activity without filters, with a
// group, with a one-week range, and GET /reports/doors for one group.
// Latency: median and p95 of RUNS after a warm-up.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { DbConfig } from '../src/server/db';
import type { Mutation } from '../src/shared/protocol';
import { generateWard } from '../tests/factories/generate';
import { createMutation, pushBody, runBench, withServer, type BenchServer, type BenchUser } from './driver';

const HOUSEHOLDS = 10_000;
const RUNS = 20;
const DAY_MS = 86_400_000;

async function seed(server: BenchServer, cookie: string, ward: string, households: number, seedNo: number) {
  const w = generateWard({ seed: seedNo, households, wardCode: ward, groups: 28 });
  w.visits.forEach((v, i) => {
    v.at = new Date(Date.UTC(2026, 6, 24, 1) + (i % 28) * DAY_MS + (i % 10) * 3_600_000).toISOString();
    if (v.outcome !== 'helped') return;
    const p = w.people.find((x) => x.householdId === v.householdId);
    if (p) v.people = [{ personId: p.id, steps: [{ platform: 'vneid', step: 'installed', status: 'done' }], independent: i % 4 === 0 ? ['vneid'] : [] }];
  });
  const all: Mutation[] = [];
  let seq = 0;
  for (const h of w.households) all.push(createMutation(++seq, 'household', h));
  for (const p of w.people) all.push(createMutation(++seq, 'person', p));
  for (const v of w.visits) all.push(createMutation(++seq, 'visit', v));
  const clientId = `bench-${randomBytes(6).toString('hex')}`;
  for (let i = 0; i < all.length; i += 500) await server.push(cookie, pushBody(clientId, all.slice(i, i + 500)));
  return w;
}

const USERS: BenchUser[] = [
  { username: 'bench', displayName: 'Phạm Thị Hoa', role: 'supervisor', wardCode: 'CUANAM', groups: [] },
  { username: 'other', role: 'supervisor', wardCode: 'OTHER', groups: [] },
];

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;

async function bench(label: string, config: DbConfig, print: (line: string) => void) {
  await withServer(config, USERS, async (server) => {
    const { base, db } = server;
    const cookie = await server.login('bench');
    const w = await seed(server, cookie, 'CUANAM', HOUSEHOLDS, 2026);
    await seed(server, await server.login('other'), 'OTHER', 2_000, 99);
    if (db.dialect === 'postgres') await sql`analyze records`.execute(db.kysely);
    print(`${label}: ${w.households.length} households, ${w.people.length} people, ${w.visits.length} visits over 4 weeks (+2,000 households in another ward)`);
    const cases: Array<[string, string]> = [
      ['activity, no filter', '/api/v1/reports/activity'],
      ['activity, one group', '/api/v1/reports/activity?group=TDP%205'],
      ['activity, one week', '/api/v1/reports/activity?from=2026-08-01&to=2026-08-07'],
      ['doors, one group', '/api/v1/reports/doors?group=TDP%205'],
    ];
    for (const [name, url] of cases) {
      const ms: number[] = [];
      for (let run = 0; run <= RUNS; run++) {
        const t0 = performance.now();
        const res = await fetch(`${base}${url}`, { headers: { cookie } });
        await res.json();
        if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
        if (run > 0) ms.push(performance.now() - t0);
      }
      print(`  ${name.padEnd(22)} median ${p(ms, 0.5).toFixed(1)} ms, p95 ${p(ms, 0.95).toFixed(1)} ms (${RUNS} runs)`);
    }
  });
}

export const main = () => runBench('console', bench);
