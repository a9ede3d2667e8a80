// Live reads for screens. Each returns undefined while loading and re-renders
// when the underlying tables change (Dexie's liveQuery).
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import { useStore } from './StoreContext';
import * as q from './queries';
import { search, type SearchHit } from './search';
import { onSearchIndexChange, warmSearchIndex } from './searchIndex';
import { getMeta } from './meta';
import { getRecord } from './records';
import type { AttentionItem } from './database';
import { getField } from '../../shared/fields';

export function useHouseholdsByGroup(group: string | undefined) {
  const { db } = useStore();
  return useLiveQuery(() => (group ? q.householdsByGroup(db, group) : []), [db, group]);
}

/** The groups this user picks from, with the ward's names for them (q.groupChoices); undefined while loading. */
export function useGroupChoices() {
  const { db, user } = useStore();
  return useLiveQuery(() => q.groupChoices(db, user), [db, user.role, user.groups]);
}

/** The codes of useGroupChoices(). */
export function useGroups() {
  const choices = useGroupChoices();
  return useMemo(() => choices?.map((c) => c.code), [choices]);
}

export function useHousehold(id: string | undefined) {
  const { db } = useStore();
  return useLiveQuery(() => (id ? q.householdDetail(db, id) : null), [db, id]);
}

export function usePerson(id: string | undefined) {
  const { db } = useStore();
  return useLiveQuery(() => (id ? q.personDetail(db, id) : null), [db, id]);
}

export function useTodayVisits() {
  const { db } = useStore();
  return useLiveQuery(() => q.todayVisits(db), [db]);
}

export function usePendingCount() {
  const { db } = useStore();
  return useLiveQuery(() => q.pendingCount(db), [db]);
}

export function useFollowUps() {
  const { db } = useStore();
  return useLiveQuery(() => q.followUps(db), [db]);
}

/** The case queue of the response team (console), filtered; undefined while loading. */
export function useCaseQueue(filter: q.CaseFilter) {
  const { db } = useStore();
  return useLiveQuery(() => q.caseQueue(db, filter), [db, filter.status, filter.reason]);
}

/** How many follow-ups are due today or earlier, counted from an index (Home). */
export function useFollowUpsDue() {
  const { db } = useStore();
  return useLiveQuery(() => q.followUpsDueCount(db), [db]);
}

export function useCoverage(group: string | undefined) {
  const { db } = useStore();
  return useLiveQuery(() => (group ? q.coverage(db, group) : []), [db, group]);
}

export function useAttention() {
  const { db } = useStore();
  return useLiveQuery(() => db.attention.orderBy('key').toArray(), [db]);
}

/** The device's current value of each conflicting field (the server's, after the pull), by item key. */
export function useCurrentValues(items: AttentionItem[] | undefined): Record<number, unknown> {
  const { db } = useStore();
  return (
    useLiveQuery(async () => {
      const out: Record<number, unknown> = {};
      for (const i of items ?? []) {
        if (i.kind !== 'conflict' || !i.field) continue;
        const record = await getRecord(db, i.entity, i.recordId);
        out[i.key!] = record ? getField(record, i.field) : undefined;
      }
      return out;
    }, [db, items]) ?? {}
  );
}

export function useMeta<T>(key: string) {
  const { db } = useStore();
  return useLiveQuery(async () => ({ value: await getMeta<T>(db, key) }), [db, key]);
}

/**
 * Search as you type. The query is debounced so a fast typist does not start
 * a search per key, and results are capped so one letter never floods the list.
 * The word index is built as the screen opens, while the volunteer types. A
 * liveQuery sees changes only to the rows it read, and a new match is a row it
 * never read: so the search also runs again whenever the word index changes.
 */
export function useSearch(query: string, delayMs = 150): SearchHit[] | undefined {
  const { db } = useStore();
  const [debounced, setDebounced] = useState(query);
  const [indexVersion, setIndexVersion] = useState(0);
  useEffect(() => {
    warmSearchIndex(db);
    return onSearchIndexChange(db, () => setIndexVersion((v) => v + 1));
  }, [db]);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(query), delayMs);
    return () => clearTimeout(t);
  }, [query, delayMs]);
  return useLiveQuery(() => search(db, debounced), [db, debounced, indexVersion]);
}
