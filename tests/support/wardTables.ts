// Targets for report tests: a ward's "did it alone" target and each group's
// name, position and household target, written into migration 6's tables.
import type { Db } from '../../src/server/db';
import { ensureWardGroups } from '../../src/server/wards';

/** Sets a ward's targets: its independent target and each group's name, position and household target. */
export async function setTargets(db: Db, ward: string, independent: number | null, groups: Array<{ code: string; name?: string; target: number | null }>): Promise<void> {
  await ensureWardGroups(db, ward, groups.map((g) => g.code));
  await db.kysely.updateTable('wards').set({ target_independent: independent }).where('code', '=', ward).execute();
  let position = 0;
  for (const g of groups) {
    position += 1;
    await db.kysely
      .updateTable('ward_groups')
      .set({ name: g.name ?? g.code, target_households: g.target, position })
      .where('ward_code', '=', ward)
      .where('code', '=', g.code)
      .execute();
  }
  // The ward's other groups follow, in natural order (as a ward office would list them).
  const listed = new Set(groups.map((g) => g.code));
  const others = (await db.kysely.selectFrom('ward_groups').select('code').where('ward_code', '=', ward).execute())
    .map((r) => r.code)
    .filter((c) => !listed.has(c))
    .sort((a, b) => a.localeCompare(b, 'vi', { numeric: true }));
  for (const code of others) {
    position += 1;
    await db.kysely.updateTable('ward_groups').set({ position }).where('ward_code', '=', ward).where('code', '=', code).execute();
  }
}
