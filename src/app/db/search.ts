// Search by name, phone or address, ignoring Vietnamese diacritics.
//
// It walks the multi-entry "_words" index over the range of one query word
// (the probe: the longest word that is not a common family name, middle name
// or address word, probeOf), reading keys in two slices (60, then up to 300)
// and the rows of each slice with one bulkGet, keeping the rows that are not deleted
// and in which every query word is a prefix of one of the row's words, until
// the screen's limit (30) is filled. A query with plenty of hits reads about as
// many rows as it shows. The walk is bounded (SCAN_CAP keys of the probe per
// table, the bound the search always had), so a one-letter query or a rare
// combination of common words costs a fixed amount; hits beyond the bound are
// not shown, which is why the probe is the rarest-looking word.
//
// Why not intersect every word's keys: measured in Chromium (bench/RESULTS.md,
// search), a key read from an index range or a count costs a sizeable share of
// a small row per entry, and the common words' ranges are tens of thousands of
// entries, so whole key sets cost more than the rows of a page.
//
// Order, as before: households whose own words match, in the probe's index
// order; then households found through their people, in the same order of the
// people. People are read only when the households alone do not fill the page.
// A shown household's matched people are read once, for all the households
// shown (one range of the householdId index).
import { words } from '../../shared/text';
import { stripLocal, type GoCuaDB, type HouseholdRow } from './database';
import type { Table } from 'dexie';
import type { Household, Person } from '../../shared/schemas';

const SEARCH_RESULT_CAP = 30;
/** The most keys of the probe read per table: a search's work is bounded whatever the data. */
const SCAN_CAP = 300;
/** How many of the probe's keys each read asks for: a first small slice, then up to the cap. */
const KEY_SLICES = [60, SCAN_CAP];
/** Rows read per bulkGet: a whole slice at once (fewer round trips weigh more than a few spare rows on a slow phone). */
const CHUNK = SCAN_CAP;

export interface SearchHit {
  household: Household;
  /** People of this household whose name or phone matched. */
  people: Person[];
}

function matchesAll(rowWords: readonly string[], queryWords: readonly string[]): boolean {
  return queryWords.every((q) => rowWords.some((w) => w.startsWith(q)));
}

/**
 * The rows of `table` matching every query word, not deleted, in the probe's
 * index order, a chunk at a time; the caller stops reading when it has enough.
 */
async function* matching<R extends { deleted: boolean; _words: string[] }>(
  table: Table<R, string>,
  q: readonly string[],
  probe: string,
): AsyncGenerator<R[]> {
  const seen = new Set<string>();
  for (const limit of KEY_SLICES) {
    const range = table.where('_words').startsWith(probe);
    const raw = (await range.limit(limit).primaryKeys()) as string[];
    // A row with two words starting with the probe is in the range twice; and each slice repeats the last.
    const fresh: string[] = [];
    for (const k of raw) {
      if (seen.has(k)) continue;
      seen.add(k);
      fresh.push(k);
    }
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const rows = await table.bulkGet(fresh.slice(i, i + CHUNK));
      yield rows.filter((r): r is R => !!r && !r.deleted && matchesAll(r._words, q));
    }
    if (raw.length < limit) return;
  }
}

/**
 * Words so common in Hanoi's names and addresses that they make a poor probe: the
 * family names that most people share, the usual middle names, and the words of
 * nearly every address. Folded, as the index holds them.
 */
const COMMON_WORDS = new Set([
  'nguyen', 'tran', 'le', 'pham', 'hoang', 'huynh', 'phan', 'vu', 'vo', 'dang', 'bui', 'do', 'ho', 'ngo', 'duong', 'ly',
  'van', 'thi', 'duc', 'huu', 'ngoc', 'quang', 'dinh', 'xuan', 'thanh', 'minh',
  'ngach', 'hem', 'pho', 'so', 'to', 'tdp',
]);

/**
 * The word whose index range is walked: the longest uncommon word, most often
 * the given name or a lane's own name ("nguyen van lan" → "lan"), else the
 * longest. Every word is still checked on every row: the probe decides only
 * how many rows are read, never which match.
 */
function probeOf(q: readonly string[]): string {
  return [...q].sort((a, b) => Number(COMMON_WORDS.has(a)) - Number(COMMON_WORDS.has(b)) || b.length - a.length)[0]!;
}

export async function search(db: GoCuaDB, query: string, cap = SEARCH_RESULT_CAP): Promise<SearchHit[]> {
  const q = [...new Set(words(query))];
  if (q.length === 0) return [];
  const probe = probeOf(q);

  const page: HouseholdRow[] = [];
  const shown = new Set<string>();
  for await (const rows of matching(db.households, q, probe)) {
    for (const h of rows.slice(0, cap - page.length)) {
      page.push(h);
      shown.add(h.id);
    }
    if (page.length === cap) break;
  }
  if (page.length < cap) {
    // Through people: the households of each chunk of matching people, read
    // together, kept if there and not deleted.
    for await (const people of matching(db.people, q, probe)) {
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
