// @vitest-environment node
// Migration 3 on a database built at schema 2 with data in it: existing
// tombstones lose everything but their minimal form, get new versions (so
// devices pull the stripped form), and their conflict and rejected rows go.
// On SQLite and (when available) PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, TEST_DATABASE_URL, warnIfNoPostgres } from './helpers';
import { scratchPostgres } from '../support/scratch';
import { openDb, type Db, type Dialect } from '../../src/server/db';
import { migrate } from '../../src/server/migrations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { sql } from 'kysely';

warnIfNoPostgres();

async function freshDb(dialect: Dialect): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'gocua-mig-'));
    const db = openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
    return { db, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const created = await scratchPostgres(TEST_DATABASE_URL!);
  return { db: openDb({ dialect: 'postgres', url: created.url, poolSize: 2 }), drop: created.drop };
}

describe.each(DIALECTS)('migration 3 on $dialect', ({ dialect, skip }) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });

  it.skipIf(skip)('strips existing tombstones to their minimal form, with new versions, and deletes their conflict and rejected rows', async () => {
    const { db, drop } = await freshDb(dialect);
    cleanup = async () => {
      await db.close();
      await drop();
    };
    expect(await migrate(db, 2)).toEqual([1, 2]);
    const h = createHouseholdRecord({ headName: 'Phùng Văn Cũ', deleted: true });
    const p = createPersonRecord(h.id, { fullName: 'Phùng Thị Cũ', birthYear: 1930, flags: { disability: true, livesAlone: true }, deleted: true });
    const live = createHouseholdRecord({ headName: 'Còn Sống' });
    const row = (entity: string, r: { id: string }, version: number, deleted: number) => ({
      entity, id: r.id, ward_code: 'CUANAM', group_code: 'TDP 1', created_by: 'vol-1', data: JSON.stringify(r), deleted, version, server_updated_at: '2026-01-01T00:00:00Z',
    });
    await db.kysely.insertInto('records').values([row('household', h, 1, 1), row('person', p, 2, 1), row('household', live, 3, 0)]).execute();
    await db.kysely.insertInto('ward_counters').values({ ward_code: 'CUANAM', seq: 3 }).execute();
    const common = { ward_code: 'CUANAM', user_id: 'vol-1', client_id: 'c-1', seq: 1, mutation_at: '2026-01-01T00:00:00Z', at: '2026-01-01T00:00:00Z' };
    await db.kysely.insertInto('conflicts').values({ ...common, id: 'c1', entity: 'person', record_id: p.id, field: 'fullName', server_value: '"Phùng Thị Cũ"', client_value: '"Phùng Thị Mới"', base_value: null }).execute();
    await db.kysely.insertInto('rejected_mutations').values({ ...common, id: 'r1', entity: 'household', record_id: h.id, op: 'upsert', fields: '{"headName":"Phùng Văn Cũ"}', base: null, code: 'invalid_record', message: 'x', path: null }).execute();

    expect(await migrate(db, 3)).toEqual([3]);

    const rows = await db.kysely.selectFrom('records').selectAll().orderBy('version').execute();
    const text = JSON.stringify(rows);
    for (const value of ['Phùng Văn Cũ', 'Phùng Thị Cũ', '1930', '"disability":true']) expect(text).not.toContain(value);
    expect(text).toContain('Còn Sống');
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(JSON.parse(byId.get(h.id)!.data)).toEqual({ id: h.id, wardCode: 'CUANAM', deleted: true, createdAt: h.createdAt, updatedAt: h.updatedAt, group: 'TDP 1' });
    expect(JSON.parse(byId.get(p.id)!.data)).toEqual({ id: p.id, wardCode: 'CUANAM', deleted: true, createdAt: p.createdAt, updatedAt: p.updatedAt, householdId: h.id });
    expect([h.id, p.id].map((id) => Number(byId.get(id)!.version))).toEqual([4, 5]);
    expect(Number((await db.kysely.selectFrom('ward_counters').select('seq').executeTakeFirstOrThrow()).seq)).toBe(5);
    expect(await db.kysely.selectFrom('conflicts').selectAll().execute()).toEqual([]);
    expect(await db.kysely.selectFrom('rejected_mutations').selectAll().execute()).toEqual([]);
    expect(await db.kysely.selectFrom('scope_exits').selectAll().execute()).toEqual([]);
    expect(await db.kysely.selectFrom('erasures').selectAll().execute()).toEqual([]);
  });
});

describe.each(DIALECTS.filter((d) => d.dialect === 'postgres'))('migration 5 on $dialect', ({ skip }) => {
  // gocua_visit_at_us catches exceptions (a subtransaction), which nothing may
  // do in parallel mode. Forcing a parallel plan shows what a large ward's
  // export met: before migration 5 the query fails; after it the plan is serial.
  async function visitTimesInParallelPlan(db: Db) {
    return db.kysely.connection().execute(async (conn) => {
      for (const setting of ['parallel_setup_cost = 0', 'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0', 'force_parallel_mode = on']) {
        await sql.raw(`set ${setting}`).execute(conn);
      }
      const r = await sql<{ us: string }>`select gocua_visit_at_us(data) as us from records where entity = 'visit'`.execute(conn);
      return r.rows.map((row) => Number(row.us));
    });
  }

  it.skipIf(skip)('reading visit times under a forced parallel plan works once the function is parallel unsafe', async () => {
    const created = await scratchPostgres(TEST_DATABASE_URL!);
    const db = openDb({ dialect: 'postgres', url: created.url, poolSize: 1 });
    try {
      await migrate(db, 4);
      const visit = createVisitRecord(createHouseholdRecord().id, { at: '2026-08-02T06:30:00+07:00' });
      await db.kysely
        .insertInto('records')
        .values({ entity: 'visit', id: visit.id, ward_code: visit.wardCode, group_code: null, created_by: 'u', data: JSON.stringify(visit), deleted: 0, version: 1, server_updated_at: visit.createdAt })
        .execute();
      await expect(visitTimesInParallelPlan(db)).rejects.toThrow(/parallel/);
      expect(await migrate(db, 5)).toEqual([5]);
      expect(await visitTimesInParallelPlan(db)).toEqual([Date.parse('2026-08-02T06:30:00+07:00') * 1000]);
    } finally {
      await db.close();
      await created.drop();
    }
  });
});
