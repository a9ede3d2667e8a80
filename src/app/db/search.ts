// Search by name, phone or address, ignoring Vietnamese diacritics.
//
// It walks the multi-entry "_words" index with a prefix range on the query's
// longest word (the most selective), then checks the remaining words against
// the candidates' own word lists. The candidate count is capped, so a
// one-letter query reads a bounded slice of the index instead of every record.
import { words } from '../../shared/text';
import { stripLocal, type GoCuaDB } from './database';
import type { Household, Person } from '../../shared/schemas';

const SEARCH_CANDIDATE_CAP = 300;
const SEARCH_RESULT_CAP = 30;

export interface SearchHit {
  household: Household;
  /** People of this household whose name or phone matched. */
  people: Person[];
}

function matchesAll(rowWords: string[], queryWords: string[]): boolean {
  return queryWords.every((q) => rowWords.some((w) => w.startsWith(q)));
}

export async function search(db: GoCuaDB, query: string, cap = SEARCH_RESULT_CAP): Promise<SearchHit[]> {
  const q = words(query);
  if (q.length === 0) return [];
  const probe = [...q].sort((a, b) => b.length - a.length)[0]!;

  const [households, people] = await Promise.all([
    db.households.where('_words').startsWith(probe).distinct().limit(SEARCH_CANDIDATE_CAP).toArray(),
    db.people.where('_words').startsWith(probe).distinct().limit(SEARCH_CANDIDATE_CAP).toArray(),
  ]);

  const hits = new Map<string, SearchHit>();
  for (const h of households) {
    if (h.deleted || !matchesAll(h._words, q)) continue;
    hits.set(h.id, { household: stripLocal(h), people: [] });
  }
  const matchedPeople = people.filter((p) => !p.deleted && matchesAll(p._words, q));
  const missing = [...new Set(matchedPeople.map((p) => p.householdId))].filter((id) => !hits.has(id));
  const extra = await db.households.bulkGet(missing);
  for (const h of extra) if (h && !h.deleted) hits.set(h.id, { household: stripLocal(h), people: [] });
  for (const p of matchedPeople) hits.get(p.householdId)?.people.push(stripLocal(p));

  return [...hits.values()].slice(0, cap);
}
