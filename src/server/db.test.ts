// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';
import { GroupCommitQueue, openDb, type Db } from './db';
import { migrate } from './migrations';

/** Keeps the thread busy, as a synchronous better-sqlite3 transaction does. */
function spin(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

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

  it('accepts waiting connections between two groups of writers, not one per group', async () => {
    // libuv accepts one connection per turn of the event loop: with one group
    // per turn, 40 devices connecting while 40 writers queue were accepted
    // about one per group, so the last waited for nearly every writer.
    const server = net.createServer((socket) => socket.destroy());
    let accepted = 0;
    server.on('connection', () => accepted++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const clients = Array.from({ length: 40 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
    try {
      const writers = Array.from({ length: 40 }, (_, n) =>
        db.writeTx(async (trx) => {
          await sql`insert into arrivals (n) values (${n})`.execute(trx);
          spin(3);
        }),
      );
      await Promise.all(writers);
      expect(accepted).toBe(40);
    } finally {
      for (const c of clients) c.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs writers one at a time in the order they asked, whatever each awaits', async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const writer = (name: string, waitMs: number) =>
      db.writeTx(async (trx) => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, waitMs));
        await sql`insert into arrivals (n) values (${name.charCodeAt(0)})`.execute(trx);
        log.push(`end ${name}`);
        running--;
        return name;
      });
    const results = await Promise.all([writer('a', 30), writer('b', 0), writer('c', 10)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(most).toBe(1);
  });

  it('answers a writer only once its write is committed: another connection already sees it', async () => {
    const other = new SQLite(path.join(dir, 'gocua.sqlite'), { readonly: true });
    try {
      const seen = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          db.writeTx((trx) => sql`insert into arrivals (n) values (${n})`.execute(trx)).then(
            () => (other.prepare('select count(*) as c from arrivals where n = ?').get(n) as { c: number }).c,
          ),
        ),
      );
      expect(seen).toEqual(Array.from({ length: 10 }, () => 1));
    } finally {
      other.close();
    }
  });

  it('commits a group of writers in fewer transactions than writers, each in arrival order', async () => {
    const commits: number[] = [];
    const other = new SQLite(path.join(dir, 'gocua.sqlite'), { readonly: true });
    try {
      // Each writer records how many rows another connection saw committed
      // when it ran: writers of one group see the same count.
      await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          db.writeTx(async (trx) => {
            commits.push((other.prepare('select count(*) as c from arrivals').get() as { c: number }).c);
            await sql`insert into arrivals (n) values (${n})`.execute(trx);
          }),
        ),
      );
    } finally {
      other.close();
    }
    expect(new Set(commits).size).toBeLessThan(20);
    expect(new Set(commits).size).toBeGreaterThanOrEqual(Math.ceil(20 / GroupCommitQueue.MAX_GROUP));
    const rows = await sql<{ n: number }>`select n from arrivals order by pos`.execute(db.kysely);
    expect(rows.rows.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('rolls back only the writer whose statement failed; the rest of its group commits', async () => {
    await sql`create table once (k integer primary key)`.execute(db.kysely);
    const results = await Promise.allSettled([
      db.writeTx((trx) => sql`insert into once (k) values (1)`.execute(trx)),
      db.writeTx(async (trx) => {
        await sql`insert into arrivals (n) values (99)`.execute(trx);
        await sql`insert into once (k) values (1)`.execute(trx); // primary key taken: this writer fails
      }),
      db.writeTx((trx) => sql`insert into once (k) values (2)`.execute(trx)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await sql<{ k: number }>`select k from once order by k`.execute(db.kysely)).rows).toEqual([{ k: 1 }, { k: 2 }]);
    expect((await sql`select n from arrivals`.execute(db.kysely)).rows).toEqual([]); // its first insert is undone too
  });

  it('when the COMMIT fails, fails every writer of that group and stores none of them; later writers go on', async () => {
    // A deferred foreign key is checked at COMMIT only: the group's COMMIT fails.
    await sql`create table parent (id integer primary key)`.execute(db.kysely);
    await sql`create table child (id integer primary key, parent integer references parent (id) deferrable initially deferred)`.execute(db.kysely);
    const group = [
      db.writeTx((trx) => sql`insert into arrivals (n) values (1)`.execute(trx)),
      db.writeTx((trx) => sql`insert into child (id, parent) values (1, 404)`.execute(trx)),
    ];
    const results = await Promise.allSettled(group);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await sql`select n from arrivals`.execute(db.kysely)).rows).toEqual([]);
    await db.writeTx((trx) => sql`insert into arrivals (n) values (2)`.execute(trx));
    expect((await sql`select n from arrivals`.execute(db.kysely)).rows).toEqual([{ n: 2 }]);
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
