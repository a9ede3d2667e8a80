// Which table holds each kind of synced record, and how a record becomes a row.
// The one place that turns an entity name into storage: repository writes,
// pulled pages, conflict resolutions and the sync screen all go through here,
// so a fourth entity is added in one map, not in a switch per caller.
import type { Table } from 'dexie';
import type { Entity, EntityRecord } from '../../shared/schemas';
import {
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

/**
 * Stores a record with its index fields, replacing any stored version. Queues
 * nothing: the caller decides, inside its own transaction, what the outbox gets.
 */
export async function putRecord<E extends Entity>(db: GoCuaDB, entity: E, record: EntityRecord[E]): Promise<void> {
  await tableFor(db, entity).put(toRow[entity](record));
}

/** Stores many records of one entity with their index fields: one IndexedDB request, however many. */
export async function putRecords<E extends Entity>(db: GoCuaDB, entity: E, records: EntityRecord[E][]): Promise<void> {
  if (records.length > 0) await tableFor(db, entity).bulkPut(records.map((r) => toRow[entity](r)));
}

/** Removes records and their index fields from the device (tombstones or removals were pulled): one request. */
export async function removeRecords(db: GoCuaDB, entity: Entity, ids: string[]): Promise<void> {
  if (ids.length > 0) await tableFor(db, entity).bulkDelete(ids);
}
