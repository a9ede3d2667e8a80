// Sync throughput figures (not a test):
//   npm run bench -- sync
//   DATABASE_URL=postgres://… npm run bench -- sync (or TEST_DATABASE_URL; adds PostgreSQL)
//
// For each database: a fresh database, a real server on a random port, then
//   1. push: 500-mutation batches of new households (one HTTP request each),
//      reported as mutations per second and ms per batch;
//   2. first pull: 10,000 records paged at limit=1000, from cursor 0 to hasMore=false.
// Medians over several runs. On PostgreSQL a scratch database is created next to
// the one in the URL and dropped afterwards.
import { median } from '../tests/support/scratch';
import type { DbConfig } from '../src/server/db';
import { uuidv7 } from '../src/shared/ids';
import type { Mutation, PullResponse } from '../src/shared/protocol';
import { createMutation, pushBody, runBench, withServer } from './driver';

const PUSH_RUNS = 7;
const PULL_RUNS = 5;
const PULL_RECORDS = 10_000;

function household(i: number) {
  const at = new Date().toISOString();
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: 'BENCH',
    group: `TDP ${(i % 12) + 1}`,
    address: { houseNumber: String(i), lane: 'Ngõ 45', street: 'Hàng Bông' },
    headName: 'Trần Văn Minh',
    phone: '0912345678',
    povertyStatus: 'none' as const,
    consent: { given: true, at, by: 'bench' },
    notes: 'Hộ có người cao tuổi sống một mình, cần hỗ trợ cài VNeID mức 2.',
  };
}

class Device {
  seq = 0;
  readonly clientId = `bench-${uuidv7()}`;
  batch(n: number) {
    const mutations: Mutation[] = Array.from({ length: n }, (_, i) => createMutation(this.seq + i + 1, 'household', household(this.seq + i)));
    this.seq += n;
    return pushBody(this.clientId, mutations);
  }
}

async function bench(label: string, config: DbConfig, print: (line: string) => void) {
  await withServer(config, [{ username: 'bench', role: 'supervisor', wardCode: 'BENCH', groups: Array.from({ length: 12 }, (_, i) => `TDP ${i + 1}`) }], async (server) => {
    const { base } = server;
    const cookie = await server.login('bench');

    const device = new Device();
    const pushMs: number[] = [];
    for (let run = 0; run < PUSH_RUNS + 1; run++) {
      const body = device.batch(500);
      const t0 = performance.now();
      const json = await server.push(cookie, body);
      const ms = performance.now() - t0;
      if (json.results.some((r) => r.status !== 'applied')) throw new Error('push failed: not every mutation was applied');
      if (run > 0) pushMs.push(ms); // the first run warms up caches and the JIT
    }

    // Fill up to 10,000 records for the pull.
    const have = (PUSH_RUNS + 1) * 500;
    for (let n = have; n < PULL_RECORDS; n += 500) {
      await server.push(cookie, device.batch(Math.min(500, PULL_RECORDS - n)));
    }
    const pullMs: number[] = [];
    let pulled = 0;
    for (let run = 0; run < PULL_RUNS; run++) {
      const t0 = performance.now();
      let cursor = 0;
      pulled = 0;
      for (;;) {
        const res = await fetch(`${base}/api/v1/sync/pull?cursor=${cursor}&limit=1000`, { headers: { cookie, 'accept-encoding': 'gzip' } });
        const page = (await res.json()) as PullResponse;
        pulled += page.changes.length;
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      pullMs.push(performance.now() - t0);
    }
    const p = median(pushMs);
    print(
      `${label.padEnd(11)} push 500 mutations: median ${p.toFixed(0)} ms/batch = ${((500 * 1000) / p).toFixed(0)} mutations/s ` +
        `(${(1000 / p).toFixed(1)} batches/s; ${PUSH_RUNS} runs, min ${Math.min(...pushMs).toFixed(0)}, max ${Math.max(...pushMs).toFixed(0)})`,
    );
    print(
      `${label.padEnd(11)} first pull of ${pulled} records (10 pages of 1000): median ${median(pullMs).toFixed(0)} ms ` +
        `(${PULL_RUNS} runs, min ${Math.min(...pullMs).toFixed(0)}, max ${Math.max(...pullMs).toFixed(0)})`,
    );
  });
}

export const main = () => runBench('sync', bench);
