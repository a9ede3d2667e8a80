// Which table holds each kind of synced record, and how a record becomes a row.
// The one place that turns an entity name into storage: repository writes,
// pulled pages, conflict resolutions and the sync screen all go through here,
// so a fourth entity is added in one map, not in a switch per caller.
import type { Table } from 'dexie';
import type { Entity, EntityRecord } from '../../shared/schemas';
import {
  aliveHouseholds,
  personDue,
  refreshDue,
  stripLocal,
  toHouseholdRow,
  toPersonRow,
  toVisitRow,
  toCaseRow,
  type CaseRow,
  type GoCuaDB,
  type HouseholdRow,
  type PersonRow,
  type VisitRow,
} from './database';

/** Each entity's row: the record plus its local index fields. */
type Rows = { household: HouseholdRow; person: PersonRow; visit: VisitRow; case: CaseRow };

const toRow: { [E in Entity]: (record: EntityRecord[E]) => Rows[E] } = {
  household: toHouseholdRow,
  person: toPersonRow,
  visit: toVisitRow,
  case: toCaseRow,
};

function tableFor<E extends Entity>(db: GoCuaDB, entity: E): Table<Rows[E], string> {
  const tables: { [K in Entity]: Table<Rows[K], string> } = {
    household: db.households,
    person: db.people,
    visit: db.visits,
    case: db.cases,
  };
  return tables[entity];
}

/** The stored record as the schema defines it (no local index fields), if there is one. */
export async function getRecord<E extends Entity>(db: GoCuaDB, entity: E, id: string): Promise<EntityRecord[E] | undefined> {
  const row = await tableFor(db, entity).get(id);
  return row ? stripLocal(row) : undefined;
}

type Keyed = { id: string; householdId?: string | undefined; visitId?: string | undefined };

/**
 * Where a row of this entity bears on follow-ups: its household, or, for a
 * walk-in visit or a walk-in's case (no household), that visit.
 */
function dueTargetOf(entity: Entity, row: Keyed | undefined): { household?: string; visit?: string } {
  if (!row) return {};
  if (entity === 'household') return { household: row.id };
  if (row.householdId) return { household: row.householdId };
  if (entity === 'visit') return { visit: row.id };
  if (entity === 'case' && row.visitId) return { visit: row.visitId };
  return {};
}

/** What writing or removing these rows touched (pass the stored rows too: a record may change household). */
function touched(entity: Entity, rows: Array<Keyed | undefined>): Touched {
  const out: Touched = { households: [], visits: [] };
  for (const r of rows) {
    const t = dueTargetOf(entity, r);
    if (t.household) out.households.push(t.household);
    if (t.visit) out.visits.push(t.visit);
  }
  return out;
}

/** The households and visits whose follow-up index a write must refresh (refreshDue). */
export interface Touched {
  households: string[];
  visits: string[];
  /** Households written or removed here, as stored now (refreshDue need not read them). */
  known?: Map<string, HouseholdRow | undefined>;
}

/**
 * Stores a record with its index fields, replacing any stored version, and
 * keeps the follow-up index (`_due`) of its household (or walk-in visit) right,
 * a case's included: a resolved case closes its visit's escalation. Queues nothing:
 * the caller decides, inside its own transaction, what the outbox gets.
 */
export async function putRecord<E extends Entity>(db: GoCuaDB, entity: E, record: EntityRecord[E]): Promise<void> {
  await putRecords(db, entity, [record]);
}

/**
 * Stores many records of one entity with their index fields, and refreshes the
 * follow-up index of the households and walk-ins they touch: a constant number of
 * IndexedDB requests (a bulkGet, a bulkPut, the refresh's few reads and two writes), however many.
 */
export async function putRecords<E extends Entity>(db: GoCuaDB, entity: E, records: EntityRecord[E][]): Promise<void> {
  const t = await putRows(db, entity, records);
  await refreshDue(db, t.households, t.visits, t.known);
}

/** Removes records and their index fields from the device (tombstones or removals were pulled), and refreshes the follow-up index. */
export async function removeRecords(db: GoCuaDB, entity: Entity, ids: string[]): Promise<void> {
  const t = await removeRows(db, entity, ids);
  await refreshDue(db, t.households, t.visits, t.known);
}

/**
 * putRecords without the follow-up refresh, for a caller that stores several
 * entities in one transaction and refreshes once (pulledPages.ts). Returns what
 * to pass to refreshDue before the transaction ends. `known`: households already
 * written or removed in this transaction, as stored now (not read again).
 */
export async function putRows<E extends Entity>(
  db: GoCuaDB,
  entity: E,
  records: EntityRecord[E][],
  known?: ReadonlyMap<string, HouseholdRow | undefined>,
): Promise<Touched> {
  if (records.length === 0) return { households: [], visits: [] };
  if (entity === 'person') return putPeople(db, records as EntityRecord['person'][], known);
  const keyed = records as Keyed[];
  // A visit or a case that moved household leaves its old household's "latest
  // visit" to work out again, so the rows it replaces are read. A household's
  // rows are its own.
  const before = entity === 'household' ? [] : ((await tableFor(db, entity).bulkGet(keyed.map((r) => r.id))) as Array<Keyed | undefined>);
  const rows = records.map((r) => toRow[entity](r));
  await tableFor(db, entity).bulkPut(rows);
  const t = touched(entity, [...keyed, ...before]);
  if (entity === 'household') t.known = new Map((rows as HouseholdRow[]).map((r) => [r.id, r]));
  return t;
}

/**
 * People, with their follow-up index worked out before they are written, so
 * nothing is left to refresh: a person's `_due` depends only on the person and
 * whether their household is there and not deleted (refreshDueRows' rule), and
 * nothing else's depends on a person, in the household they left or the one they
 * joined. One read (the households not already known) and one write, instead of
 * refreshDue's re-reading of every person and visit of their households, which
 * was a third of a first sync (bench/RESULTS.md, first-sync). A household
 * written or removed after them in the same transaction refreshes its people
 * as always, so the order of a page's entities does not matter.
 */
async function putPeople(db: GoCuaDB, records: EntityRecord['person'][], known?: ReadonlyMap<string, HouseholdRow | undefined>): Promise<Touched> {
  const alive = await aliveHouseholds(db.households, [...new Set(records.map((p) => p.householdId))], known);
  await db.people.bulkPut(
    records.map((p) => {
      const row = toPersonRow(p);
      const due = personDue(row, alive.has(p.householdId));
      if (due !== undefined) row._due = due;
      return row;
    }),
  );
  return { households: [], visits: [] };
}

/** removeRecords without the follow-up refresh; returns what to refresh (see putRows). */
export async function removeRows(db: GoCuaDB, entity: Entity, ids: string[]): Promise<Touched> {
  if (ids.length === 0) return { households: [], visits: [] };
  const before = (await tableFor(db, entity).bulkGet(ids)) as Array<Keyed | undefined>;
  await tableFor(db, entity).bulkDelete(ids);
  const t = touched(entity, before);
  if (entity === 'household') t.known = new Map(ids.map((id) => [id, undefined]));
  return t;
}
