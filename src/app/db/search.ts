// Search by name, phone or address, ignoring Vietnamese diacritics.
//
// Everything is answered from the multi-entry "_words" index, reading keys
// before rows, so a search reads about as many rows as the screen shows (its
// limit), however many records match:
// 1. Each query word's index range is counted (IndexedDB counts natively; no
//    row or key reaches JavaScript), for households and people alike.
// 2. The rarest word's range gives the candidates, as primary keys only, in
//    index order (word, then id). Each further word, rarest first, narrows
//    them by intersection with its own keys while its range is small enough
//    (KEY_INTERSECT_MAX); a word too common to be worth that is checked on
//    the rows instead (step 3).
// 3. Candidates are read a page at a time (bulkGet) and kept if not deleted
//    and every query word is a prefix of one of the row's words, until the
//    limit is reached.
// The order, as before: households whose own words match, in index order
// of the probe word; then households found through their people, in the
// same order of the people. A household's matched people are read once,
// for the households shown (one householdId range read).
import { words } from '../../shared/text';
import { stripLocal, type GoCuaDB, type HouseholdRow } from './database';
import type { Table } from 'dexie';
import type { Household, Person } from '../../shared/schemas';

const SEARCH_RESULT_CAP = 30;
/**
 * A further word's keys are read and intersected only while its range holds at
 * most this many entries; beyond it, reading the candidates' rows and checking
 * their words costs less than reading that word's keys.
 */
const KEY_INTERSECT_MAX = 4_000;
/** Rows read per bulkGet while collecting a page. */
const CHUNK = 40;

export interface SearchHit {
  household: Household;
  /** People of this household whose name or phone matched. */
  people: Person[];
}

function matchesAll(rowWords: readonly string[], queryWords: readonly string[]): boolean {
  return queryWords.every((q) => rowWords.some((w) => w.startsWith(q)));
}

type WordTable<R> = Table<R, string>;

interface Candidates {
  /** Primary keys in index order, each once. */
  keys: string[];
  /** False when a single word's probe was cut short: more keys may follow. */
  complete: boolean;
  /** True when some words were not intersected as keys: rows must be checked against every word. */
  verify: boolean;
}

/** Primary keys of the rows with a word starting with `prefix`, index order, each once. */
async function keysOf<R>(table: WordTable<R>, prefix: string, limit?: number): Promise<{ keys: string[]; cut: boolean }> {
  const range = table.where('_words').startsWith(prefix);
  const raw = (await (limit === undefined ? range : range.limit(limit)).primaryKeys()) as string[];
  return { keys: [...new Set(raw)], cut: limit !== undefined && raw.length === limit };
}

/** The ordered candidates of one table for the query words (steps 1 and 2). */
async function candidates<R>(table: WordTable<R>, q: string[], want: number): Promise<Candidates> {
  if (q.length === 1) {
    // One word: its first keys are the answer (rows are still checked for
    // deletion). A few more than wanted are asked for, since deleted rows and
    // rows with two matching words take places; pages() reads on if short.
    const { keys, cut } = await keysOf(table, q[0]!, want * 2);
    return { keys, complete: !cut, verify: false };
  }
  const counts = await Promise.all(q.map((w) => table.where('_words').startsWith(w).count()));
  const order = q.map((w, i) => ({ w, n: counts[i]! })).sort((a, b) => a.n - b.n);
  if (order[0]!.n === 0) return { keys: [], complete: true, verify: false };
  let keys = (await keysOf(table, order[0]!.w)).keys;
  let verify = false;
  for (const { w, n } of order.slice(1)) {
    if (keys.length === 0) break;
    if (n > KEY_INTERSECT_MAX && n > keys.length * 8) {
      verify = true;
      break;
    }
    const other = new Set((await keysOf(table, w)).keys);
    keys = keys.filter((k) => other.has(k));
  }
  return { keys, complete: true, verify };
}

/**
 * Step 3: the candidates' rows in order, CHUNK at a time, not deleted and
 * (if asked) checked against every word. The caller stops when it has enough.
 * A single word's cut probe reads on through the word's whole range.
 */
async function* pages<R extends { deleted: boolean; _words: string[] }>(
  table: WordTable<R>,
  q: string[],
  found: Candidates,
): AsyncGenerator<R[]> {
  let keys = found.keys;
  let complete = found.complete;
  for (;;) {
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await table.bulkGet(keys.slice(i, i + CHUNK));
      yield rows.filter((r): r is R => !!r && !r.deleted && (!found.verify || matchesAll(r._words, q)));
    }
    if (complete) return;
    const seen = new Set(keys);
    keys = (await keysOf(table, q[0]!)).keys.filter((k) => !seen.has(k));
    complete = true;
  }
}

export async function search(db: GoCuaDB, query: string, cap = SEARCH_RESULT_CAP): Promise<SearchHit[]> {
  const q = [...new Set(words(query))];
  if (q.length === 0) return [];

  const [hc, pc] = await Promise.all([candidates(db.households, q, cap), candidates(db.people, q, cap)]);
  const page: HouseholdRow[] = [];
  const shown = new Set<string>();
  for await (const rows of pages(db.households, q, hc)) {
    for (const h of rows) {
      if (page.length === cap) break;
      page.push(h);
      shown.add(h.id);
    }
    if (page.length === cap) break;
  }
  if (page.length < cap) {
    // Through people: the households of each chunk of matching people, read
    // together, kept if there and not deleted.
    for await (const people of pages(db.people, q, pc)) {
      const ids = [...new Set(people.map((p) => p.householdId))].filter((id) => !shown.has(id));
      for (const h of await db.households.bulkGet(ids)) {
        if (!h || h.deleted || page.length === cap) continue;
        page.push(h);
        shown.add(h.id);
      }
      if (page.length === cap) break;
    }
  }
  if (page.length === 0) return [];
  // The matched people of the households shown: their own people, checked against the query.
  const members = await db.people.where('householdId').anyOf([...shown]).toArray();
  const byHousehold = new Map<string, Person[]>();
  for (const p of members) {
    if (p.deleted || !matchesAll(p._words, q)) continue;
    const list = byHousehold.get(p.householdId) ?? [];
    list.push(stripLocal(p));
    byHousehold.set(p.householdId, list);
  }
  return page.map((h) => ({ household: stripLocal(h), people: byHousehold.get(h.id) ?? [] }));
}
