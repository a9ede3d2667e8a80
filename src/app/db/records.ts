// Which table holds each kind of synced record, and how a record becomes a row.
// The one place that turns an entity name into storage: repository writes,
// pulled pages, conflict resolutions and the sync screen all go through here,
// so a fourth entity is added in one map, not in a switch per caller.
import type { Table } from 'dexie';
import type { Entity, EntityRecord } from '../../shared/schemas';
import {
  refreshDue,
  stripLocal,
  toHouseholdRow,
  toPersonRow,
  toVisitRow,
  type GoCuaDB,
  type HouseholdRow,
  type PersonRow,
  type VisitRow,
} from './database';

/** Each entity's row: the record plus its local index fields. */
type Rows = { household: HouseholdRow; person: PersonRow; visit: VisitRow };

const toRow: { [E in Entity]: (record: EntityRecord[E]) => Rows[E] } = {
  household: toHouseholdRow,
  person: toPersonRow,
  visit: toVisitRow,
};

function tableFor<E extends Entity>(db: GoCuaDB, entity: E): Table<Rows[E], string> {
  const tables: { [K in Entity]: Table<Rows[K], string> } = {
    household: db.households,
    person: db.people,
    visit: db.visits,
  };
  return tables[entity];
}

/** The stored record as the schema defines it (no local index fields), if there is one. */
export async function getRecord<E extends Entity>(db: GoCuaDB, entity: E, id: string): Promise<EntityRecord[E] | undefined> {
  const row = await tableFor(db, entity).get(id);
  return row ? stripLocal(row) : undefined;
}

/** The household whose follow-ups a row of this entity bears on. */
function householdOf(entity: Entity, row: { id: string; householdId?: string | undefined } | undefined): string | undefined {
  if (!row) return undefined;
  return entity === 'household' ? row.id : row.householdId;
}

/** The households touched by writing these rows over those (a record may change household). */
async function touched(db: GoCuaDB, entity: Entity, rows: Array<{ id: string; householdId?: string | undefined }>): Promise<string[]> {
  const out = rows.map((r) => householdOf(entity, r));
  if (entity !== 'household') {
    const before = await tableFor(db, entity).bulkGet(rows.map((r) => r.id));
    out.push(...before.map((r) => householdOf(entity, r)));
  }
  return out.filter((h): h is string => h !== undefined);
}

/**
 * Stores a record with its index fields, replacing any stored version, and
 * keeps the follow-up index (`_due`) of its household right. Queues nothing:
 * the caller decides, inside its own transaction, what the outbox gets.
 */
export async function putRecord<E extends Entity>(db: GoCuaDB, entity: E, record: EntityRecord[E]): Promise<void> {
  await putRecords(db, entity, [record]);
}

/**
 * Stores many records of one entity with their index fields, and refreshes the
 * follow-up index of the households they touch: a constant number of IndexedDB
 * requests (a bulkGet, a bulkPut, the refresh's three reads and two writes), however many.
 */
export async function putRecords<E extends Entity>(db: GoCuaDB, entity: E, records: EntityRecord[E][]): Promise<void> {
  await refreshDue(db, await putRows(db, entity, records));
}

/** Removes records and their index fields from the device (tombstones or removals were pulled), and refreshes the follow-up index. */
export async function removeRecords(db: GoCuaDB, entity: Entity, ids: string[]): Promise<void> {
  await refreshDue(db, await removeRows(db, entity, ids));
}

/**
 * putRecords without the follow-up refresh, for a caller that stores several
 * entities in one transaction and refreshes once (pulledPages.ts). Returns the
 * households to pass to refreshDue before the transaction ends.
 */
export async function putRows<E extends Entity>(db: GoCuaDB, entity: E, records: EntityRecord[E][]): Promise<string[]> {
  if (records.length === 0) return [];
  const households = await touched(db, entity, records as Array<{ id: string; householdId?: string }>);
  await tableFor(db, entity).bulkPut(records.map((r) => toRow[entity](r)));
  return households;
}

/** removeRecords without the follow-up refresh; returns the households to refresh (see putRows). */
export async function removeRows(db: GoCuaDB, entity: Entity, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const before = await tableFor(db, entity).bulkGet(ids);
  await tableFor(db, entity).bulkDelete(ids);
  return before.map((r) => householdOf(entity, r)).filter((h): h is string => h !== undefined);
}
