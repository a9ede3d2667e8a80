// @vitest-environment node
// `npm run export`: run as a child process against a temporary SQLite
// database, it writes the same file as the route and the same audit row (user
// and role 'cli'), and refuses bad flags with a clear message, a non-zero exit
// and no file.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/server/db';
import { migrate } from '../../src/server/migrations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { PEOPLE_COLUMNS } from '../../src/shared/exports';
import { runCli } from './cli';

describe('export CLI', () => {
  let dir: string;
  let db: Db;
  const household = createHouseholdRecord({ headName: 'Phùng Thị Bímật', address: { houseNumber: '77B/KÍN', street: 'Hàng Bông' } });
  const person = createPersonRecord(household.id, { fullName: 'Trần Văn Kínđáo', birthYear: 1931 });
  const visit = createVisitRecord(household.id, { people: [{ personId: person.id, steps: [] }] });

  const exportCli = (args: string[]) => runCli('export-cli.ts', args, { dataDir: dir });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gocua-export-'));
    db = openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
    await migrate(db);
    const row = (entity: string, r: { id: string }, version: number) => ({
      entity, id: r.id, ward_code: 'CUANAM', group_code: 'TDP 1', created_by: 'vol-1', data: JSON.stringify(r), deleted: 0, version, server_updated_at: '2026-08-01T00:00:00Z',
    });
    await db.kysely.insertInto('records').values([row('household', household, 1), row('person', person, 2), row('visit', visit, 3)]).execute();
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the redacted XLSX file and an audit row recorded as cli', async () => {
    const out = path.join(dir, 'people.xlsx');
    const r = await exportCli(['--ward', 'CUANAM', '--dataset', 'people', '--format', 'xlsx', '--out', out, '--group', 'TDP 1']);
    expect(r.code, r.err).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const sheet = wb.getWorksheet('people')!;
    expect(sheet.getRow(1).getCell(1).value).toBe(PEOPLE_COLUMNS[0].name);
    expect(sheet.getRow(2).getCell(1).value).toBe(person.id);
    expect(sheet.rowCount).toBe(2);
    expect(readFileSync(out).includes(Buffer.from('Kínđáo'))).toBe(false);
    const audit = await db.kysely.selectFrom('export_audit').selectAll().execute();
    expect(audit).toEqual([
      expect.objectContaining({ user_id: 'cli', role: 'cli', ward_code: 'CUANAM', dataset: 'people', format: 'xlsx', group_code: 'TDP 1', detail: 'redacted', reason: null, status: 'complete' }),
    ]);
    expect(Number(audit[0]!.rows)).toBe(1);
  }, 60_000);

  it('writes full detail as CSV with a reason', async () => {
    const out = path.join(dir, 'households.csv');
    const r = await exportCli(['--ward', 'CUANAM', '--dataset', 'households', '--format', 'csv', '--out', out, '--detail', 'full', '--reason', 'Danh sách cho UBND phường']);
    expect(r.code, r.err).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFFhousehold_id,')).toBe(true);
    expect(text).toContain('77B/KÍN');
    const audit = await db.kysely.selectFrom('export_audit').selectAll().where('dataset', '=', 'households').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ detail: 'full', reason: 'Danh sách cho UBND phường', status: 'complete' });
  }, 60_000);

  it.each([
    ['no --ward', ['--dataset', 'people', '--format', 'csv'], '--ward is required'],
    ['an unknown dataset', ['--ward', 'CUANAM', '--dataset', 'addresses', '--format', 'csv'], '--dataset must be one of'],
    ['an unknown format', ['--ward', 'CUANAM', '--dataset', 'people', '--format', 'pdf'], '--format must be one of'],
    ['a bad date', ['--ward', 'CUANAM', '--dataset', 'people', '--format', 'csv', '--from', '2026-13-01'], '--from'],
    ['full detail without a reason', ['--ward', 'CUANAM', '--dataset', 'people', '--format', 'csv', '--detail', 'full'], 'reason'],
    ['an unknown flag', ['--ward', 'CUANAM', '--dataset', 'people', '--format', 'csv', '--phone'], 'Unknown option'],
  ])('refuses %s with exit 2, a clear message and no file', async (_, args, message) => {
    const out = path.join(dir, 'refused.csv');
    const before = await db.kysely.selectFrom('export_audit').select('id').execute();
    const r = await exportCli([...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(existsSync(out)).toBe(false);
    expect(await db.kysely.selectFrom('export_audit').select('id').execute()).toEqual(before);
  }, 60_000);
});
