// Search by name, phone or address, ignoring Vietnamese diacritics.
//
// The candidates come from the in-memory word index (searchIndex.ts): the ids
// of the rows with a word starting with one query word (the probe: the longest
// word that is not a common family name, middle name or address word, probeOf),
// in the order a word index gives (by word, then id), kept when every query
// word is a prefix of one of the row's words. Their rows are then read, a slice
// at a time (one bulkGet), and checked again (deleted, and the words as stored:
// what is shown is what IndexedDB holds), until the screen's limit (30) is
// filled. Checking words in memory costs microseconds, so unlike the version-4
// walk over an IndexedDB index there is no bound on how far it looks: a rare
// combination of common words is found wherever it is.
//
// Order, as before: households whose own words match, in the probe's order;
// then households found through their people, in the same order of the people.
// People are looked at only when the households alone do not fill the page. A
// shown household's matched people are found in the index and read with one
// bulkGet, for all the households shown.
import { words } from '../../shared/text';
import { stripLocal, type GoCuaDB, type HouseholdRow } from './database';
import { searchIndex, type Entry, type WordIndex } from './searchIndex';
import type { Household, Person } from '../../shared/schemas';

const SEARCH_RESULT_CAP = 30;
/** Rows read per bulkGet: a few more than a page, since a row may have changed since the index saw it. */
const CHUNK = 40;

export interface SearchHit {
  household: Household;
  /** People of this household whose name or phone matched. */
  people: Person[];
}

function matchesAll(rowWords: readonly string[], queryWords: readonly string[]): boolean {
  return queryWords.every((q) => rowWords.some((w) => w.startsWith(q)));
}

/**
 * The entries the index says match every query word, in the probe's order, a
 * chunk at a time. The caller reads rows between chunks, and a write may commit
 * meanwhile: an id the index no longer holds is passed over, and each chunk
 * carries the entries as they were when it was made.
 */
function* matchingIds(index: WordIndex, q: readonly string[], probe: string): Generator<Array<[string, Entry]>> {
  let chunk: Array<[string, Entry]> = [];
  for (const id of index.withPrefix(probe)) {
    const entry = index.get(id);
    if (!entry || !matchesAll(entry.words, q)) continue;
    chunk.push([id, entry]);
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
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
  // The two tables' indexes as they are now: another tab's write may replace them while this search reads rows.
  const { households: householdIndex, people: peopleIndex } = await searchIndex(db);

  const page: HouseholdRow[] = [];
  const shown = new Set<string>();
  const take = (h: HouseholdRow | undefined) => {
    if (!h || h.deleted || shown.has(h.id) || page.length === cap) return;
    page.push(h);
    shown.add(h.id);
  };
  for (const chunk of matchingIds(householdIndex, q, probe)) {
    for (const h of await db.households.bulkGet(chunk.map(([id]) => id))) if (h && matchesAll(h._words, q)) take(h);
    if (page.length === cap) break;
  }
  if (page.length < cap) {
    // Through people: the households of each chunk of matching people, read
    // together, kept if there and not deleted.
    for (const chunk of matchingIds(peopleIndex, q, probe)) {
      const households = [...new Set(chunk.map(([, e]) => e.householdId!))].filter((id) => !shown.has(id));
      for (const h of await db.households.bulkGet(households)) take(h);
      if (page.length === cap) break;
    }
  }
  if (page.length === 0) return [];
  // The matched people of the households shown: the index knows which match,
  // so only those are read (checked again as stored).
  const matched = [...shown].flatMap((hid) =>
    [...peopleIndex.membersOf(hid)]
      .filter((id) => {
        const entry = peopleIndex.get(id);
        return entry !== undefined && matchesAll(entry.words, q);
      })
      .sort(),
  );
  const byHousehold = new Map<string, Person[]>();
  for (const p of matched.length ? await db.people.bulkGet(matched) : []) {
    if (!p || p.deleted || !shown.has(p.householdId) || !matchesAll(p._words, q)) continue;
    const list = byHousehold.get(p.householdId) ?? [];
    list.push(stripLocal(p));
    byHousehold.set(p.householdId, list);
  }
  return page.map((h) => ({ household: stripLocal(h), people: byHousehold.get(h.id) ?? [] }));
}
