// @vitest-environment node
// An XLSX export waits for a slow download instead of piling rows up in
// memory. exceljs's zip input is a readable-stream v2 PassThrough without
// writableNeedDrain; before stream.ts read its state, a 1M-row export on
// SQLite (whose reads never yield) peaked at 926 MiB. Here the client reads
// nothing at all: the export must stop after a few pages, not run to the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/server/db';
import { migrate } from '../../src/server/migrations';
import { streamExport } from '../../src/server/exports/stream';
import { seedWards } from '../../bench/support/seed';

const VISITS = 20_000;

describe('an export to a client that reads nothing', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gocua-bp-'));
    const config = { dialect: 'sqlite' as const, file: path.join(dir, 'gocua.sqlite') };
    const setup = openDb(config);
    await migrate(setup);
    await setup.close();
    await seedWards(config, [{ ward: 'SLOW', households: 500, visits: VISITS, seed: 3, volunteerId: 'v' }]);
    db = openDb(config);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['xlsx', 'csv'] as const)('%s stops after a few pages and waits', async (format) => {
    let received = 0;
    // Takes the first chunk and never calls back: a download that stalled.
    const stalled = new Writable({ highWaterMark: 64 * 1024, write: (chunk: Buffer) => void (received += chunk.length) });
    const progress = { rows: 0 };
    const controller = new AbortController();
    const running = streamExport(db, { ward: 'SLOW', dataset: 'visits', format }, stalled, { progress, signal: controller.signal }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const reached = progress.rows;
    controller.abort();
    await running;
    expect(received).toBeGreaterThan(0); // it did start
    expect(reached).toBeLessThan(VISITS / 4);
  });
});
