// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, WriterQueue, type Db } from './db';
import { migrate } from './migrations';

/** Keeps the thread busy, as a synchronous better-sqlite3 transaction does. */
function spin(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('WriterQueue', () => {
  it('runs writers one at a time in the order they asked, whatever each awaits', async () => {
    const queue = new WriterQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const writer = (name: string, waitMs: number) =>
      queue.run(async () => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, waitMs));
        log.push(`end ${name}`);
        running--;
        return name;
      });
    const results = await Promise.all([writer('a', 30), writer('b', 0), writer('c', 10)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(most).toBe(1);
    expect(queue.length).toBe(0);
  });

  it('fails only the writer that threw; the next one still runs', async () => {
    const queue = new WriterQueue();
    const failed = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('gives the event loop a turn between two writers, so I/O is not starved', async () => {
    const queue = new WriterQueue();
    const log: string[] = [];
    const writers = Array.from({ length: 5 }, (_, i) =>
      queue.run(async () => {
        spin(2);
        log.push(`writer ${i}`);
      }),
    );
    // Stands for a connection being accepted or a request being read while writers queue.
    setTimeout(() => log.push('timer'), 0);
    await Promise.all(writers);
    const timer = log.indexOf('timer');
    expect(timer).toBeGreaterThanOrEqual(0);
    expect(timer).toBeLessThan(log.length - 1); // before the last writer, not after all of them
  });
});

describe('writeTx on SQLite', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gocua-db-'));
    db = openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
    await migrate(db);
    await sql`create table arrivals (n integer not null, pos integer primary key autoincrement)`.execute(db.kysely);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent write transactions in the order they were asked for', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        db.writeTx(async (trx) => {
          if (n % 3 === 0) await sql`select 1`.execute(trx); // some await more than others
          await sql`insert into arrivals (n) values (${n})`.execute(trx);
        }),
      ),
    );
    const rows = await sql<{ n: number }>`select n from arrivals order by pos`.execute(db.kysely);
    expect(rows.rows.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('lets a timer run while twenty slow writers queue, instead of after all of them', async () => {
    const done: number[] = [];
    let timerAfter = -1;
    const writers = Array.from({ length: 20 }, (_, n) =>
      db.writeTx(async (trx) => {
        await sql`insert into arrivals (n) values (${n})`.execute(trx);
        spin(3);
        done.push(n);
      }),
    );
    setTimeout(() => (timerAfter = done.length), 0);
    await Promise.all(writers);
    expect(timerAfter).toBeGreaterThanOrEqual(0);
    expect(timerAfter).toBeLessThan(5);
  });

  it('rolls back a writer that throws and goes on with the next', async () => {
    const failing = db.writeTx(async (trx) => {
      await sql`insert into arrivals (n) values (1)`.execute(trx);
      throw new Error('refused');
    });
    const next = db.writeTx(async (trx) => sql`insert into arrivals (n) values (2)`.execute(trx));
    await expect(failing).rejects.toThrow('refused');
    await next;
    const rows = await sql<{ n: number }>`select n from arrivals`.execute(db.kysely);
    expect(rows.rows.map((r) => r.n)).toEqual([2]);
  });
});
