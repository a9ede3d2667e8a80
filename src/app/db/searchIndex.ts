// The search words of every household and person, held in memory (version 5).
//
// Why not an IndexedDB index: in Chromium each index entry costs about as much
// as the row itself (bench/RESULTS.md, idb-cost), and the multi-entry word
// index gave a household ten of them, so a first sync spent most of its time
// writing search words. The rows keep their words (`_words`, computed by
// database.ts toHouseholdRow / toPersonRow), but nothing indexes them.
//
// How it stays right: a Dexie middleware (searchIndexMiddleware, installed by
// GoCuaDB) sees every write to the households and people tables, whoever makes
// it, and applies it here when its transaction commits; an aborted transaction
// changes nothing. The index is built on first use, by reading both tables in
// slices; writes that commit while it is being built are replayed after it, in
// order, so none is missed. Another tab's writes cannot reach this tab's
// memory: each commit is announced on a BroadcastChannel with the ids it
// wrote, and a tab that hears one about its database reads those rows again
// (in order, one announcement after another) and applies them like its own.
//
// Deleted rows are left out. Within one word, ids keep IndexedDB's order (by
// id), so results come in the order the word index gave them.
import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse, Middleware } from 'dexie';
import type { GoCuaDB } from './database';

/** Rows read per slice while building: small enough that a slow phone's main thread is never held for long. */
const BUILD_SLICE = 5_000;
/** A batch adding fewer new words than this inserts them into the sorted vocabulary; more sorts it again on next use. */
const SPLICE_MAX = 64;

type IndexedTable = 'households' | 'people';
const INDEXED: readonly IndexedTable[] = ['households', 'people'];

/** What the index keeps of a row: its words, and a person's household. */
export interface Entry {
  words: readonly string[];
  householdId?: string | undefined;
}

interface RowLike {
  id: string;
  deleted?: boolean;
  householdId?: string;
  _words?: readonly string[];
}

/** One table's words: id → words, word → ids, and the sorted list of words for prefix lookups. */
export class WordIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly ids = new Map<string, Set<string>>();
  /** Each word's ids in order, made on first use after the word changed. */
  private readonly sortedIds = new Map<string, string[]>();
  /**
   * Every word that has (or had) ids, sorted; undefined until next needed (so a
   * build or a big batch sorts once, instead of inserting word by word).
   */
  private vocab: string[] | undefined;
  /** People by household: which of a shown household's people matched needs no read. */
  private readonly byHousehold = new Map<string, Set<string>>();

  get size(): number {
    return this.entries.size;
  }

  /** Sets (or, with undefined, removes) a row's entry. */
  set(id: string, entry: Entry | undefined): void {
    const before = this.entries.get(id);
    if (before) {
      for (const w of before.words) {
        this.ids.get(w)?.delete(id);
        this.sortedIds.delete(w);
      }
      if (before.householdId !== undefined) this.byHousehold.get(before.householdId)?.delete(id);
    }
    if (!entry) {
      this.entries.delete(id);
      return;
    }
    this.entries.set(id, entry);
    if (entry.householdId !== undefined) {
      let members = this.byHousehold.get(entry.householdId);
      if (!members) this.byHousehold.set(entry.householdId, (members = new Set()));
      members.add(id);
    }
    let added: string[] | undefined;
    for (const w of entry.words) {
      let set = this.ids.get(w);
      if (!set) {
        set = new Set();
        this.ids.set(w, set);
        (added ??= []).push(w);
      }
      set.add(id);
      this.sortedIds.delete(w);
    }
    if (added && this.vocab) {
      if (added.length > SPLICE_MAX) this.vocab = undefined;
      else for (const w of added) this.vocab.splice(lowerBound(this.vocab, w), 0, w);
    }
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  /** The ids of a household's people (not deleted). */
  membersOf(householdId: string): Iterable<string> {
    return this.byHousehold.get(householdId) ?? [];
  }

  /**
   * The ids of rows with a word starting with `prefix`, each once, in the order
   * a multi-entry index gives: by the first such word, then by id.
   */
  *withPrefix(prefix: string): Generator<string> {
    const vocab = (this.vocab ??= [...this.ids.keys()].sort());
    const seen = new Set<string>();
    for (let i = lowerBound(vocab, prefix); i < vocab.length && vocab[i]!.startsWith(prefix); i++) {
      const w = vocab[i]!;
      let list = this.sortedIds.get(w);
      if (!list) {
        list = [...(this.ids.get(w) ?? [])].sort();
        this.sortedIds.set(w, list);
      }
      for (const id of list) {
        if (seen.has(id)) continue;
        seen.add(id);
        yield id;
      }
    }
  }
}

/** The first index whose word is not below `w` (binary search). */
function lowerBound(sorted: readonly string[], w: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < w) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A write seen by the middleware: rows put, or ids removed, or the whole table cleared. */
type Change = { table: IndexedTable; put?: RowLike[]; removed?: string[]; cleared?: true };

class SearchIndexState {
  households = new WordIndex();
  people = new WordIndex();
  /** 'none': not built (writes are not kept); 'building': writes are queued; 'ready': writes are applied. */
  status: 'none' | 'building' | 'ready' = 'none';
  private building: Promise<void> | undefined;
  private queued: Change[] = [];
  /** Bumped on every reset: a build that started under another generation starts again. */
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: GoCuaDB) {}

  /** The index, built if it is not. A build that fails leaves it not built (the next use tries again). */
  async ready(): Promise<this> {
    while (this.status !== 'ready') {
      this.building ??= this.build()
        .catch((e: unknown) => {
          this.status = 'none';
          this.queued = [];
          throw e;
        })
        .finally(() => (this.building = undefined));
      await this.building;
    }
    return this;
  }

  private async build(): Promise<void> {
    const generation = this.generation;
    this.status = 'building';
    this.queued = [];
    const households = new WordIndex();
    const people = new WordIndex();
    // Both tables at once: their reads overlap (a quarter faster in Chromium).
    await Promise.all(
      ([
        ['households', households],
        ['people', people],
      ] as const).map(async ([name, index]) => {
        const table = this.db.table<RowLike, string>(name);
        let last: string | undefined;
        for (;;) {
          const rows = await (last === undefined ? table.orderBy(':id') : table.where(':id').above(last)).limit(BUILD_SLICE).toArray();
          for (const row of rows) index.set(row.id, entryOf(row));
          if (rows.length < BUILD_SLICE) break;
          last = rows[rows.length - 1]!.id;
        }
      }),
    );
    if (generation !== this.generation) {
      // Dropped while building (another tab wrote): start again.
      this.status = 'none';
      return;
    }
    this.households = households;
    this.people = people;
    this.status = 'ready';
    const queued = this.queued;
    this.queued = [];
    for (const change of queued) this.apply(change);
  }

  /** A committed write of this tab. */
  commit(change: Change): void {
    if (this.status === 'none') return;
    if (this.status === 'building') {
      if (change.cleared) this.reset();
      else this.queued.push(change);
      return;
    }
    this.apply(change);
    this.notify();
  }

  private apply(change: Change): void {
    if (change.cleared) {
      this.reset();
      return;
    }
    const index = this[change.table];
    for (const row of change.put ?? []) index.set(row.id, entryOf(row));
    for (const id of change.removed ?? []) index.set(id, undefined);
  }

  /** Forgets everything: the next use builds again. */
  reset(): void {
    this.generation++;
    this.households = new WordIndex();
    this.people = new WordIndex();
    this.queued = [];
    if (this.status === 'ready') this.status = 'none';
    this.notify();
  }

  /** Another tab's (or another object's) announced writes, applied one announcement after another. */
  private remote: Promise<void> = Promise.resolve();

  /** Reads again the rows another tab wrote and applies them as this tab's own commits would be. */
  refreshRows(changes: readonly Announced[]): void {
    if (this.status === 'none') return; // nothing kept: the next build reads everything
    this.remote = this.remote.then(async () => {
      try {
        for (const c of changes) {
          if (c.cleared) {
            this.commit({ table: c.table, cleared: true });
            continue;
          }
          const rows = await this.db.table<RowLike, string>(c.table).bulkGet(c.ids);
          this.commit({
            table: c.table,
            put: rows.filter((r): r is RowLike => r !== undefined),
            removed: c.ids.filter((_, i) => rows[i] === undefined),
          });
        }
      } catch {
        this.reset(); // could not read them: build again on next use
      }
    });
  }

  /** Calls `listener` after each change the index takes; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

function entryOf(row: RowLike): Entry | undefined {
  if (row.deleted || !row._words) return undefined;
  return row.householdId === undefined ? { words: row._words } : { words: row._words, householdId: row.householdId };
}

const states = new WeakMap<GoCuaDB, SearchIndexState>();

function stateOf(db: GoCuaDB): SearchIndexState {
  let state = states.get(db);
  if (!state) {
    state = new SearchIndexState(db);
    states.set(db, state);
  }
  return state;
}

/** The database's word indexes, built on first use. */
export async function searchIndex(db: GoCuaDB): Promise<{ households: WordIndex; people: WordIndex }> {
  return stateOf(db).ready();
}

/** Builds the index ahead of the first search (the search screen calls it when it opens). */
export function warmSearchIndex(db: GoCuaDB): void {
  void stateOf(db)
    .ready()
    .catch(() => undefined); // a failed build is tried again by the search itself, which reports it
}

/** Calls `listener` whenever the index takes a change, so a search on screen runs again. */
export function onSearchIndexChange(db: GoCuaDB, listener: () => void): () => void {
  return stateOf(db).subscribe(listener);
}

/** Whether the index is built now (for tests and benchmarks). */
export function searchIndexStatus(db: GoCuaDB): 'none' | 'building' | 'ready' {
  return stateOf(db).status;
}

// Another tab's commits: heard by name, since each tab has its own GoCuaDB objects.
const CHANNEL = 'gocua-search-index';
/** What a commit announces: per table, the ids written (or that the table was cleared). */
interface Announced {
  table: IndexedTable;
  ids: string[];
  cleared?: true;
}
/** This tab's database objects by name; weakly held, so a closed and dropped one is not kept alive. */
const byName = new Map<string, Set<WeakRef<GoCuaDB>>>();
let channel: BroadcastChannel | undefined;

function objectsNamed(name: string): GoCuaDB[] {
  const refs = byName.get(name);
  if (!refs) return [];
  const out: GoCuaDB[] = [];
  for (const ref of refs) {
    const db = ref.deref();
    if (db) out.push(db);
    else refs.delete(ref);
  }
  return out;
}

function announce(db: GoCuaDB, changes: readonly Change[]): void {
  const announced: Announced[] = changes.map((c) =>
    c.cleared ? { table: c.table, ids: [], cleared: true } : { table: c.table, ids: [...(c.put ?? []).map((r) => r.id), ...(c.removed ?? [])] },
  );
  // Another object for the same database in this tab (a channel does not hear itself).
  for (const other of objectsNamed(db.name)) if (other !== db) states.get(other)?.refreshRows(announced);
  if (typeof BroadcastChannel === 'undefined') return;
  channel ??= listen();
  channel.postMessage({ name: db.name, changes: announced });
}

function listen(): BroadcastChannel {
  const c = new BroadcastChannel(CHANNEL);
  c.onmessage = (e: MessageEvent<{ name?: unknown; changes?: unknown }>) => {
    const { name, changes } = e.data ?? {};
    if (typeof name !== 'string') return;
    for (const db of objectsNamed(name)) {
      const state = states.get(db);
      if (!state) continue;
      if (Array.isArray(changes)) state.refreshRows(changes as Announced[]);
      else state.reset(); // a message it cannot read: safest is to build again
    }
  };
  // Node (tests) would otherwise keep running for the channel's sake.
  (c as unknown as { unref?: () => void }).unref?.();
  return c;
}

/** The native transaction under a DBCore request, if it is one (it is in Dexie's IndexedDB core). */
function nativeTransaction(trans: unknown): IDBTransaction | undefined {
  return trans && typeof (trans as IDBTransaction).addEventListener === 'function' ? (trans as IDBTransaction) : undefined;
}

const pendingByTransaction = new WeakMap<object, Change[]>();

/** Keeps `db`'s word index in step with every write to its households and people. */
export function searchIndexMiddleware(db: GoCuaDB): Middleware<DBCore> {
  let names = byName.get(db.name);
  if (!names) byName.set(db.name, (names = new Set()));
  names.add(new WeakRef(db));
  if (typeof BroadcastChannel !== 'undefined') channel ??= listen();
  return {
    stack: 'dbcore',
    name: 'searchIndex',
    create(down) {
      return {
        ...down,
        table(name) {
          const table = down.table(name);
          if (!(INDEXED as readonly string[]).includes(name)) return table;
          return {
            ...table,
            mutate(req: DBCoreMutateRequest): Promise<DBCoreMutateResponse> {
              return table.mutate(req).then((res) => {
                record(db, name as IndexedTable, req, res);
                return res;
              });
            },
          };
        },
      };
    },
  };
}

/** Notes a successful mutation, to apply when (and if) its transaction commits. */
function record(db: GoCuaDB, table: IndexedTable, req: DBCoreMutateRequest, res: DBCoreMutateResponse): void {
  const failed = new Set(Object.keys(res.failures ?? {}).map(Number));
  let change: Change;
  if (req.type === 'add' || req.type === 'put') change = { table, put: (req.values as RowLike[]).filter((_, i) => !failed.has(i)) };
  else if (req.type === 'delete') change = { table, removed: req.keys.filter((_, i) => !failed.has(i)) as string[] };
  else change = { table, cleared: true };
  const trans = nativeTransaction(req.trans);
  const state = stateOf(db);
  if (!trans) {
    // Not a transaction we can watch: safest is to forget and build again.
    state.reset();
    announce(db, [{ table, cleared: true }]);
    return;
  }
  let pending = pendingByTransaction.get(trans);
  if (!pending) {
    const list: Change[] = [];
    pending = list;
    pendingByTransaction.set(trans, list);
    trans.addEventListener('complete', () => {
      for (const c of list) state.commit(c);
      announce(db, list);
    });
  }
  pending.push(change);
}
