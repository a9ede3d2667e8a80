// A ward's targets, from the tables of wards and groups (migration 6):
// `ward_groups.target_households` per residential group and
// `wards.target_independent` ("did it alone") for the ward. Both may be null:
// no target set. A group that households use but the table does not list
// still gets a row (name and target null), so no household goes uncounted.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db';

export interface GroupTarget {
  name: string | null;
  targetHouseholds: number | null;
  position: number | null;
}

export interface WardTargets {
  groups: Map<string, GroupTarget>;
  targetIndependent: number | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function readWardTargets(trx: Kysely<DB>, ward: string): Promise<WardTargets> {
  const groups = await sql<{ code: string; name: string | null; target_households: unknown; position: unknown }>`
    select code, name, target_households, position from ward_groups where ward_code = ${ward}
  `.execute(trx);
  const wardRow = await sql<{ target_independent: unknown }>`select target_independent from wards where code = ${ward}`.execute(trx);
  return {
    groups: new Map(groups.rows.map((g) => [g.code, { name: g.name, targetHouseholds: num(g.target_households), position: num(g.position) }])),
    targetIndependent: num(wardRow.rows[0]?.target_independent),
  };
}
