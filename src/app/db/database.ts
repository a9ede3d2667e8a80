// The device's IndexedDB, through Dexie. Only src/app/db/ touches it: writes in
// repo.ts, the sync queue in outbox.ts, pulled pages in pulledPages.ts; screens
// read through hooks.ts.
//
// Each signed-in user gets their own database, "gocua-<userId>", so two
// volunteers sharing a phone never see or sync each other's records.
//
// DO NOT CHANGE A VERSION'S STORES WITHOUT ADDING A NEW VERSION AND MIGRATION.
// Volunteers carry unsynced records for days; a schema change that Dexie cannot
// upgrade in place deletes them. database.migration.test.ts builds the old
// version with data in it and opens it at the current one.
//
// Indexes hold only what lists and search need. Sensitive fields (disability,
// notes, birth year) are never indexed, so encrypting them later changes no index.
import Dexie, { type Table } from 'dexie';
import type { Case, Entity, Household, Person, Visit } from '../../shared/schemas';
import type { Fields } from '../../shared/fields';
import { searchWords } from '../../shared/text';

export const DB_SCHEMA_VERSION = 3;

/** Local-only index fields start with "_" and are stripped before sync or display. */
export type HouseholdRow = Household & { _words: string[] };
export type PersonRow = Person & { _words: string[]; _blocked: 0 | 1 };
export type VisitRow = Visit & { _followUp: 0 | 1 };
/** A case needs no local index field; the alias keeps the entity → row map uniform. */
export type CaseRow = Case;

/**
 * A change waiting to reach the server. `seq` orders the queue on this device.
 * The sync engine assigns the protocol's contiguous `pushSeq` when it first sends
 * an entry and reuses it on every retry, so a gap in local keys (an aborted
 * transaction may burn one) never becomes a gap on the wire.
 */
export interface OutboxEntry {
  seq?: number;
  entity: Entity;
  id: string;
  op: 'upsert' | 'delete';
  fields: Fields;
  base?: Fields;
  at: string;
  pushSeq?: number;
}

/** Something a person must look at: a mutation the server rejected, or a conflict. */
export interface AttentionItem {
  key?: number;
  kind: 'rejected' | 'conflict';
  entity: Entity;
  recordId: string;
  /** For rejections: what was sent. For conflicts: the field and both values. */
  fields: Fields;
  /** For a rejected update: what the fields were when the edit began (absent for a create). */
  base?: Fields;
  field?: string;
  mine?: unknown;
  theirs?: unknown;
  code: string;
  message: string;
  path?: string;
  at: string;
}

interface MetaRow {
  key: string;
  value: unknown;
}

export class GoCuaDB extends Dexie {
  households!: Table<HouseholdRow, string>;
  people!: Table<PersonRow, string>;
  visits!: Table<VisitRow, string>;
  cases!: Table<CaseRow, string>;
  outbox!: Table<OutboxEntry, number>;
  attention!: Table<AttentionItem, number>;
  meta!: Table<MetaRow, string>;

  constructor(name: string) {
    super(name);
    // Version 1 (first field pilot): plain tables, no search index.
    this.version(1).stores({
      households: 'id, group, updatedAt',
      people: 'id, householdId',
      visits: 'id, householdId, at',
      outbox: '++seq, [entity+id]',
      meta: 'key',
    });
    // Version 2: diacritic-free word index for search, follow-up flags,
    // and the "needs attention" table for rejected mutations and conflicts.
    this.version(2)
      .stores({
        households: 'id, group, updatedAt, *_words',
        people: 'id, householdId, *_words, _blocked',
        visits: 'id, householdId, at, _followUp, [householdId+at]',
        outbox: '++seq, [entity+id]',
        attention: '++key, kind, [entity+recordId]',
        meta: 'key',
      })
      .upgrade(async (tx) => {
        await tx
          .table('households')
          .toCollection()
          .modify((h: Household & Partial<HouseholdRow>) => {
            h._words = householdWords(h);
          });
        await tx
          .table('people')
          .toCollection()
          .modify((p: Person & Partial<PersonRow>) => {
            p._words = personWords(p);
            p._blocked = hasBlockedStep(p) ? 1 : 0;
          });
        await tx
          .table('visits')
          .toCollection()
          .modify((v: Visit & Partial<VisitRow>) => {
            v._followUp = needsFollowUp(v) ? 1 : 0;
          });
      });
    // Version 3: escalation cases, created by the server from escalated visits
    // and pulled like other records (a new table, so nothing to upgrade). The
    // queue filters by status; a follow-up finds its case by visitId.
    this.version(3).stores({
      households: 'id, group, updatedAt, *_words',
      people: 'id, householdId, *_words, _blocked',
      visits: 'id, householdId, at, _followUp, [householdId+at]',
      cases: 'id, visitId, status',
      outbox: '++seq, [entity+id]',
      attention: '++key, kind, [entity+recordId]',
      meta: 'key',
    });
  }
}

function householdWords(h: Household): string[] {
  // The phone is indexed because search by phone is asked for. When fields are
  // encrypted at rest, this becomes a keyed hash of the whole number.
  return searchWords(h.headName, h.address.houseNumber, h.address.lane, h.address.subLane, h.address.street, h.phone, h.group);
}

function personWords(p: Person): string[] {
  return searchWords(p.fullName, p.phone);
}

function hasBlockedStep(p: Pick<Person, 'platforms'>): boolean {
  return Object.values(p.platforms).some((c) => Object.values(c.steps).some((s) => s.status === 'blocked'));
}

function needsFollowUp(v: Visit): boolean {
  return v.outcome === 'revisit' || v.followUpOn !== undefined || v.escalate !== undefined;
}

export function toHouseholdRow(h: Household): HouseholdRow {
  return { ...h, _words: householdWords(h) };
}
export function toPersonRow(p: Person): PersonRow {
  return { ...p, _words: personWords(p), _blocked: hasBlockedStep(p) ? 1 : 0 };
}
export function toVisitRow(v: Visit): VisitRow {
  return { ...v, _followUp: needsFollowUp(v) ? 1 : 0 };
}
export function toCaseRow(c: Case): CaseRow {
  return { ...c };
}

/** Drops the local index fields, giving back the record as the schema defines it. */
export function stripLocal<T extends object>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('_')) out[k] = v;
  return out as T;
}

function dbNameFor(userId: string): string {
  return `gocua-${userId}`;
}

const open = new Map<string, GoCuaDB>();

/** The user's database, opened once per page. */
export function userDb(userId: string): GoCuaDB {
  const name = dbNameFor(userId);
  let db = open.get(name);
  if (!db) {
    db = new GoCuaDB(name);
    open.set(name, db);
  }
  return db;
}
