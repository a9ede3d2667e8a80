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
import { searchIndexMiddleware } from './searchIndex';

export const DB_SCHEMA_VERSION = 5;

/**
 * Local-only fields start with "_" and are stripped before sync or display.
 * `_words` are a row's search words (searchIndex.ts holds them in memory; no
 * IndexedDB index since version 5).
 */
export type HouseholdRow = Household & { _words: string[] };
/**
 * `_due` (version 4) is set on exactly the rows the follow-ups list shows, to the
 * day they are due, so that Home counts what is due from an index without
 * reading the tables (refreshDueRows keeps it right in every write's transaction).
 */
export type PersonRow = Person & { _words: string[]; _blocked?: 0 | 1; _due?: string };
/**
 * `_blocked` and `_followUp` are set (to 1) only on the rows the follow-ups list
 * starts from; since version 5 the others leave them out rather than store 0,
 * so they cost no index entry (rows written before may still hold 0).
 */
export type VisitRow = Visit & { _followUp?: 0 | 1; _due?: string };
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
    // Version 4: `_due` on the open follow-ups (visits and blocked people), so
    // Home counts what is due without reading whole tables (refreshDueRows).
    // Cases keep their version-3 indexes.
    this.version(4)
      .stores({
        households: 'id, group, updatedAt, *_words',
        people: 'id, householdId, *_words, _blocked, _due',
        visits: 'id, householdId, at, _followUp, [householdId+at], _due',
        cases: 'id, visitId, status',
        outbox: '++seq, [entity+id]',
        attention: '++key, kind, [entity+recordId]',
        meta: 'key',
      })
      .upgrade(async (tx) => {
        const ids = (await tx.table('households').toCollection().primaryKeys()) as string[];
        const walkIns = (await tx
          .table('visits')
          .filter((v: VisitRow) => !v.householdId)
          .primaryKeys()) as string[];
        await refreshDueRows(tx.table('households'), tx.table('people'), tx.table('visits'), tx.table('cases'), {
          households: ids,
          visits: walkIns,
        });
      });
    // Version 5: fewer index entries, because in Chromium each one costs about
    // as much as the row (bench/RESULTS.md, idb-cost) and a first sync writes
    // thousands of rows. No multi-entry word index (search reads the words from
    // memory, searchIndex.ts); no households.updatedAt (nothing reads by it); no
    // visits.householdId ([householdId+at] answers the same queries, Dexie
    // reading its first part as a virtual index). Nothing to rewrite: the rows
    // keep their fields, and only indexes go.
    this.version(5).stores({
      households: 'id, group',
      people: 'id, householdId, _blocked, _due',
      visits: 'id, at, _followUp, [householdId+at], _due',
      cases: 'id, visitId, status',
      outbox: '++seq, [entity+id]',
      attention: '++key, kind, [entity+recordId]',
      meta: 'key',
    });
    this.use(searchIndexMiddleware(this));
  }
}

function householdWords(h: Household): string[] {
  // The phone is a search word because search by phone is asked for. When fields
  // are encrypted at rest, this becomes a keyed hash of the whole number.
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
  const row: PersonRow = { ...p, _words: personWords(p) };
  if (hasBlockedStep(p)) row._blocked = 1;
  return row;
}
export function toVisitRow(v: Visit): VisitRow {
  const row: VisitRow = { ...v };
  if (needsFollowUp(v)) row._followUp = 1;
  // A walk-in's follow-up is open on its own unless its case is resolved; a
  // household's depends on the household's other visits. refreshDueRows, run
  // by every write of a visit or a case, has the last word on both.
  if (!v.householdId && row._followUp && !v.deleted) row._due = visitDue(v);
  return row;
}

/** The day a person's follow-up is due, if it is open: blocked, not deleted, their household there and not deleted. */
export function personDue(p: Pick<PersonRow, '_blocked' | 'deleted' | 'updatedAt'>, householdAlive: boolean): string | undefined {
  return p._blocked === 1 && !p.deleted && householdAlive ? p.updatedAt.slice(0, 10) : undefined;
}

/** The day a flagged visit is due (the follow-ups list's rule). */
export function visitDue(v: Pick<Visit, 'followUpOn' | 'at'>): string {
  return v.followUpOn ?? v.at.slice(0, 10);
}

type RowTable<T> = Pick<Table<T, string>, 'bulkGet' | 'where' | 'bulkPut'>;

/**
 * What a write touched, for the follow-up index: households (all their people
 * and visits are looked at again) and visits by id (a walk-in has no household;
 * a listed visit that has one counts as its household).
 */
export interface DueTouched {
  households: Iterable<string>;
  visits?: Iterable<string> | undefined;
  /**
   * Households the caller has just written or removed in this transaction, as
   * stored now (undefined: removed): not read again. A pulled page of 1,000
   * households spent a fifth of its time reading back the rows it had just put.
   */
  known?: ReadonlyMap<string, HouseholdRow | undefined> | undefined;
}

/**
 * Recomputes `_due` for every person and visit of these households and for these
 * visits, and stores the rows whose `_due` changed: a constant number of reads
 * (the visits by id, the households, their people and visits, the cases of the
 * escalated visits) and at most two writes, however many households. Must run
 * in the same transaction as the write that touched them, a case's too.
 * The rule is the follow-ups list's (queries.ts followUps): a household's visit
 * is open if it is flagged, not deleted, its household is there and not deleted,
 * and it is the household's latest visit; a walk-in is open if flagged and not
 * deleted; either is dropped when its only reason was an escalation whose case
 * is resolved. A person is open if blocked, not deleted, and their household is
 * there and not deleted.
 */
export async function refreshDueRows(
  households: RowTable<HouseholdRow>,
  people: RowTable<PersonRow>,
  visits: RowTable<VisitRow>,
  cases: Pick<Table<CaseRow, string>, 'where'>,
  touched: DueTouched,
): Promise<void> {
  const ids = new Set([...touched.households].filter(Boolean));
  const visitIds = [...new Set(touched.visits ?? [])].filter(Boolean);
  const walkIns: VisitRow[] = [];
  if (visitIds.length) {
    for (const v of await visits.bulkGet(visitIds)) {
      if (!v) continue;
      if (v.householdId) ids.add(v.householdId);
      else walkIns.push(v);
    }
  }
  if (ids.size === 0 && walkIns.length === 0) return;
  const hids = [...ids];
  const [alive, ps, vs] = hids.length
    ? await Promise.all([
        aliveHouseholds(households, hids, touched.known),
        people.where('householdId').anyOf(hids).toArray(),
        visits.where('householdId').anyOf(hids).toArray(),
      ])
    : [new Set<string>(), [], []];
  // Same pass, same order and same tie rule as queries.ts lastVisits.
  const latest = new Map<string, VisitRow>();
  for (const v of vs) {
    if (v.deleted || !v.householdId) continue;
    const prev = latest.get(v.householdId);
    if (!prev || prev.at < v.at) latest.set(v.householdId, v);
  }
  const flaggedOpen = (v: VisitRow) =>
    v._followUp === 1 && !v.deleted && (!v.householdId || (alive.has(v.householdId) && latest.get(v.householdId) === v));
  const candidates = [...vs, ...walkIns].filter(flaggedOpen);
  // The cases of the escalated ones, read as the list reads them (by visitId).
  const escalated = candidates.filter((v) => v.escalate).map((v) => v.id);
  const caseOf = new Map(
    escalated.length ? (await cases.where('visitId').anyOf(escalated).toArray()).map((c) => [c.visitId, c]) : [],
  );
  const open = new Set(
    candidates
      .filter((v) => {
        // A resolved case clears the escalation; a revisit or a date asked for still stands.
        const resolved = v.escalate !== undefined && caseOf.get(v.id)?.status === 'resolved';
        return !resolved || v.outcome === 'revisit' || v.followUpOn !== undefined;
      })
      .map((v) => v.id),
  );
  const changed = <T extends { _due?: string }>(row: T, due: string | undefined): T | undefined => {
    if (row._due === due) return undefined;
    const next = { ...row };
    if (due === undefined) delete next._due;
    else next._due = due;
    return next;
  };
  const visitRows = [...vs, ...walkIns]
    .map((v) => changed(v, open.has(v.id) ? visitDue(v) : undefined))
    .filter((v): v is VisitRow => v !== undefined);
  const personRows = ps
    .map((p) => changed(p, personDue(p, alive.has(p.householdId))))
    .filter((p): p is PersonRow => p !== undefined);
  if (visitRows.length) await visits.bulkPut(visitRows);
  if (personRows.length) await people.bulkPut(personRows);
}

/**
 * Which of these households are there and not deleted: those the caller has
 * just written or removed (`known`) as they are now, the rest read with one
 * bulkGet (made even when empty: one request shape whatever a page holds).
 */
export async function aliveHouseholds(
  households: Pick<Table<HouseholdRow, string>, 'bulkGet'>,
  ids: readonly string[],
  known?: DueTouched['known'],
): Promise<Set<string>> {
  const alive = new Set<string>();
  const unknown: string[] = [];
  for (const id of ids) {
    if (!known?.has(id)) unknown.push(id);
    else if (known.get(id) && !known.get(id)!.deleted) alive.add(id);
  }
  for (const h of await households.bulkGet(unknown)) if (h && !h.deleted) alive.add(h.id);
  return alive;
}

/** refreshDueRows on a database's own tables. */
export function refreshDue(
  db: GoCuaDB,
  householdIds: Iterable<string>,
  visitIds: Iterable<string> = [],
  known?: DueTouched['known'],
): Promise<void> {
  return refreshDueRows(db.households, db.people, db.visits, db.cases, { households: householdIds, visits: visitIds, known });
}
/**
 * The follow-up index rows a new household visit changes, computed from the
 * household's visits (the new one not yet stored) instead of refreshDue's
 * re-read of the household, its people and its visits: adding a visit cannot
 * change a person's `_due` (that depends on the person and whether the
 * household is there), nor the household's being there (recordVisit checked).
 * It only moves "latest visit": if the new visit is the latest (the same rule
 * and tie as refreshDueRows: the greatest `at`, the first by id among equals),
 * every other visit of the household loses `_due` and the new one gets it if
 * flagged; otherwise nothing changes and the new one gets none. A brand-new
 * visit has no case yet, so an escalation is open (recordVisit sends an
 * escalated visit through refreshDue all the same, to keep one rule for cases).
 */
export function dueAfterNewVisit(visit: Visit, siblings: readonly VisitRow[]): VisitRow[] {
  const row = toVisitRow(visit);
  const later = (a: Pick<Visit, 'id' | 'at'>, b: Pick<Visit, 'id' | 'at'>) => a.at > b.at || (a.at === b.at && a.id < b.id);
  const latest = !siblings.some((v) => !v.deleted && v.id !== visit.id && later(v, visit));
  if (!latest) return [row];
  if (row._followUp === 1 && !visit.deleted) row._due = visitDue(visit);
  const cleared = siblings
    .filter((v) => v.id !== visit.id && v._due !== undefined)
    .map((v) => {
      const next = { ...v };
      delete next._due;
      return next;
    });
  return [row, ...cleared];
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
