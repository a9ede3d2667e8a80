// TEMPORARY (console branch): the contract's wards and ward_groups tables
// (migration 6 belongs to the wards engineer and is not on this branch yet),
// created IF NOT EXISTS so that the reports' targets can be tested. The lead
// removes the CREATE TABLEs at merge, keeping setTargets() (which then writes
// into migration 6's tables).
import { sql } from 'kysely';
import type { Db } from '../../src/server/db';

export async function ensureWardTables(db: Db): Promise<void> {
  await sql`create table if not exists wards (code text primary key, name text not null, target_independent integer null, created_at text)`.execute(db.kysely);
  await sql`create table if not exists ward_groups (ward_code text not null, code text not null, name text not null, target_households integer null, position integer, primary key (ward_code, code))`.execute(db.kysely);
}

/** Sets a ward's targets: its independent target and each group's name, position and household target. */
export async function setTargets(db: Db, ward: string, independent: number | null, groups: Array<{ code: string; name?: string; target: number | null }>): Promise<void> {
  await ensureWardTables(db);
  await sql`delete from ward_groups where ward_code = ${ward}`.execute(db.kysely);
  await sql`delete from wards where code = ${ward}`.execute(db.kysely);
  await sql`insert into wards (code, name, target_independent, created_at) values (${ward}, ${ward}, ${independent}, ${new Date().toISOString()})`.execute(db.kysely);
  let position = 0;
  for (const g of groups) {
    position += 1;
    await sql`insert into ward_groups (ward_code, code, name, target_households, position) values (${ward}, ${g.code}, ${g.name ?? g.code}, ${g.target}, ${position})`.execute(db.kysely);
  }
}
