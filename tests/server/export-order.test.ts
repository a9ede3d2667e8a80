// @vitest-environment node
// The visits export's order, (at in UTC, id), on the real databases, against
// the database's own ORDER BY on the records_visit_at key: with visits spread
// over a year, with bursts of visits at the same instant (more than one
// PostgreSQL window holds, so the read by id of a single key value runs),
// mixed offsets (+07:00 and Z naming the same instant), sub-millisecond
// fractions, and with a day range and a group filter. Also visitAtUs, the
// key in Node that orders a window's rows, against gocua_visit_at_us.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWards } from '../../bench/support/seed';
import { openDb, type Db, type DbConfig } from '../../src/server/db';
import { DATASET_PAGES, visitAtUs } from '../../src/server/exports/datasets';
import { hanoiRange } from '../../src/server/exports/hanoi';
import { migrate } from '../../src/server/migrations';
import { householdRef, reportSql } from '../../src/server/reports/sql';
import { scratchPostgres } from '../support/scratch';
import { DIALECTS, warnIfNoPostgres } from './helpers';

warnIfNoPostgres();

const WARD = 'ORDER';

describe('visitAtUs', () => {
  it.each([
    ['2026-08-01T23:30:00.000Z', Date.UTC(2026, 7, 1, 23, 30) * 1000],
    ['2026-08-02T06:30:00.000+07:00', Date.UTC(2026, 7, 1, 23, 30) * 1000],
    ['2026-08-02T06:30:00+07:00', Date.UTC(2026, 7, 1, 23, 30) * 1000],
    ['2026-08-02T06:30+07:00', Date.UTC(2026, 7, 1, 23, 30) * 1000],
    ['2026-08-01T23:30:00.1234Z', Date.UTC(2026, 7, 1, 23, 30) * 1000 + 123_400],
    ['2026-08-01T23:30:00.1234567Z', Date.UTC(2026, 7, 1, 23, 30) * 1000 + 123_457],
    ['not a date', 0],
    ['2026-08-01', 0],
  ])('%s is %d µs', (at, us) => {
    expect(visitAtUs(at)).toBe(us);
  });
});

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`visits export order on ${dialect}`, () => {
    let db: Db;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      let config: DbConfig;
      if (dialect === 'postgres') {
        const scratch = await scratchPostgres(process.env.TEST_DATABASE_URL!, 'gocua_order');
        config = { dialect, url: scratch.url };
        cleanup = scratch.drop;
      } else {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'gocua-order-'));
        config = { dialect, file: path.join(dir, 'gocua.sqlite') };
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      }
      const setup = openDb(config);
      await migrate(setup);
      await setup.close();
      await seedWards(config, [{ ward: WARD, households: 300, visits: 3_000, seed: 11, volunteerId: 'v1' }]);
      db = openDb(config);
      // Bursts: 1,500 visits at one instant (over a window's 1,000), spelled
      // with two offsets; 40 a microsecond apart; 30 with the same millisecond.
      const ids = (await sql<{ id: string }>`select id from records where entity = 'visit' and ward_code = ${WARD} order by id`.execute(db.kysely)).rows.map((r) => r.id);
      const setAt = async (some: string[], at: (i: number) => string) => {
        for (let i = 0; i < some.length; i++) {
          const row = await db.kysely.selectFrom('records').select('data').where('entity', '=', 'visit').where('id', '=', some[i]!).executeTakeFirstOrThrow();
          await db.kysely.updateTable('records').set({ data: JSON.stringify({ ...JSON.parse(row.data), at: at(i) }) }).where('entity', '=', 'visit').where('id', '=', some[i]!).execute();
        }
      };
      await setAt(ids.filter((_, i) => i % 2 === 0), (i) => (i % 3 === 0 ? '2026-03-01T09:00:00.000+07:00' : '2026-03-01T02:00:00.000Z'));
      await setAt(ids.filter((_, i) => i % 2 === 1).slice(0, 40), (i) => `2026-03-01T02:00:00.000${String(i + 1).padStart(3, '0')}Z`);
      await setAt(ids.filter((_, i) => i % 2 === 1).slice(40, 70), () => '2026-05-01T10:00:00.5+07:00');
    }, 120_000);
    afterAll(async () => {
      await db?.close();
      await cleanup?.();
    });

    /** The ids in the database's own (key, id) order, with the export's filters. */
    async function expected(range: { from?: Date; to?: Date }, group?: string): Promise<string[]> {
      const R = reportSql(db.dialect);
      const key = R.visitAt('v.data');
      const { rows } = await sql<{ id: string }>`
        select v.id from records v
        where v.ward_code = ${WARD} and v.entity = 'visit' and v.deleted = 0
          ${range.from ? sql`and ${key} >= ${R.atKeyOf(range.from)}` : sql``}
          ${range.to ? sql`and ${key} < ${R.atKeyOf(range.to)}` : sql``}
          ${group ? sql`and ${householdRef(db.dialect, 'v.data')} in (select id from records where entity = 'household' and group_code = ${group})` : sql``}
        order by ${key}, v.id`.execute(db.kysely);
      return rows.map((r) => r.id);
    }

    async function exported(range: { from?: Date; to?: Date }, group?: string): Promise<string[]> {
      const out: string[] = [];
      for await (const page of DATASET_PAGES.visits(db, { ward: WARD, range, ...(group ? { group } : {}), year: 2026, pageSize: 1000 })) {
        expect(page.length).toBeLessThanOrEqual(1000);
        out.push(...page.map((r) => String(r.visit_id)));
      }
      return out;
    }

    it.each([
      { name: 'the whole ward', from: undefined, to: undefined, group: undefined },
      { name: 'the day of the burst', from: '2026-03-01', to: '2026-03-01', group: undefined },
      { name: 'a range of months', from: '2026-02-10', to: '2026-06-30', group: undefined },
      { name: 'one group', from: undefined, to: undefined, group: 'TDP 2' },
      { name: 'a day with no visits', from: '2020-01-01', to: '2020-01-01', group: undefined },
    ])('$name: every visit once, in (at in UTC, id) order', async ({ from, to, group }) => {
      const range = hanoiRange(from, to);
      const want = await expected(range, group);
      if (from !== '2020-01-01') expect(want.length).toBeGreaterThan(from === undefined && group === undefined ? 2_999 : 0);
      expect(await exported(range, group)).toEqual(want);
    });

    it.skipIf(dialect !== 'postgres')('visitAtUs equals gocua_visit_at_us on every stored visit', async () => {
      const { rows } = await sql<{ data: string; k: string }>`select data, gocua_visit_at_us(data)::text as k from records where entity = 'visit'`.execute(db.kysely);
      const wrong = rows.filter((r) => visitAtUs((JSON.parse(r.data) as { at: string }).at) !== Number(r.k));
      expect(wrong).toEqual([]);
    });
  });
}
