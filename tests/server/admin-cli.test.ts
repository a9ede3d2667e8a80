// @vitest-environment node
// The admin CLI takes passwords from the terminal or stdin, never from the
// command line where `ps` and shell history keep them, and refuses weak ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/server/db';
import { verifyPassword } from '../../src/server/passwords';
import { findUserByUsername } from '../../src/server/users';
import { readWard } from '../../src/server/wards';
import { runCli } from './cli';

describe('admin CLI passwords', () => {
  let dir: string;
  let db: Db;

  const admin = (args: string[], stdin: string) => runCli('admin.ts', args, { dataDir: dir, stdin });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gocua-admin-'));
    db = openDb({ dialect: 'sqlite', file: path.join(dir, 'gocua.sqlite') });
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add-user without --password reads it from stdin', async () => {
    const r = await admin(['add-user', '--username', 'admin', '--role', 'supervisor', '--ward', 'CUANAM'], 'mật khẩu của quản trị\n');
    expect(r.code, r.err).toBe(0);
    expect(r.out + r.err).not.toContain('mật khẩu của quản trị');
    const row = await findUserByUsername(db, 'admin');
    expect(row?.role).toBe('supervisor');
    expect(await verifyPassword('mật khẩu của quản trị', row!.password_hash)).toBe(true);
  });

  it('reset-password without --password reads it from stdin', async () => {
    const r = await admin(['reset-password', '--username', 'admin'], 'a-second-long-password\n');
    expect(r.code, r.err).toBe(0);
    expect(await verifyPassword('a-second-long-password', (await findUserByUsername(db, 'admin'))!.password_hash)).toBe(true);
  });

  it.each([
    ['12345678', /10 characters/],
    ['password123', /common/],
  ])('refuses the weak password %s', async (password, message) => {
    const r = await admin(['add-user', '--username', 'weakling', '--role', 'volunteer', '--ward', 'CUANAM'], `${password}\n`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(await findUserByUsername(db, 'weakling')).toBeUndefined();
  });

  it('refuses an empty stdin', async () => {
    const r = await admin(['reset-password', '--username', 'admin'], '');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/password/i);
  });

  it('add-user creates a missing ward and the groups it names, and keeps existing ones', async () => {
    const r = await admin(['add-user', '--username', 'lan', '--role', 'volunteer', '--ward', 'HANGBAC', '--groups', 'TDP 2,TDP 1'], 'mat-khau-cua-lan-dai\n');
    expect(r.code, r.err).toBe(0);
    expect((await readWard(db, 'HANGBAC'))?.groups.map((g) => g.code)).toEqual(['TDP 2', 'TDP 1']);
    const again = await admin(['add-user', '--username', 'binh', '--role', 'volunteer', '--ward', 'HANGBAC', '--groups', 'TDP 1,TDP 3'], 'mat-khau-cua-binh-dai\n');
    expect(again.code, again.err).toBe(0);
    expect((await readWard(db, 'HANGBAC'))?.groups.map((g) => g.code)).toEqual(['TDP 2', 'TDP 1', 'TDP 3']);
  }, 60_000); // two CLI runs, each hashing at the production scrypt cost

  it('add-user --role city takes no --ward: the city user gets ward "*", which is not a ward', async () => {
    const r = await admin(['add-user', '--username', 'thanhpho', '--role', 'city'], 'mat-khau-thanh-pho-dai\n');
    expect(r.code, r.err).toBe(0);
    const row = await findUserByUsername(db, 'thanhpho');
    expect(row).toMatchObject({ role: 'city', ward_code: '*', groups: '[]' });
    expect(await readWard(db, '*')).toBeUndefined();
  }, 60_000);

  it.each([
    ['--ward', ['--ward', 'CUANAM']],
    ['--groups', ['--groups', 'TDP 1']],
  ])('add-user --role city refuses %s', async (_name, extra) => {
    const r = await admin(['add-user', '--username', 'thanhpho2', '--role', 'city', ...extra], 'mat-khau-thanh-pho-dai\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--role city takes no --ward/);
    expect(await findUserByUsername(db, 'thanhpho2')).toBeUndefined();
  });

  it('add-user of another role still needs --ward', async () => {
    const r = await admin(['add-user', '--username', 'noward', '--role', 'supervisor'], 'mat-khau-that-la-dai\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--ward is required/);
  });
});
