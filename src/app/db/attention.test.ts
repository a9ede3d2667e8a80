import { describe, expect, it } from 'vitest';
import { resendRejected, resolveConflict, type ResolveResult } from './attention';
import { createHousehold } from './repo';
import type { AttentionItem, GoCuaDB } from './database';
import { actor, freshDb, createHouseholdInput } from '../../../tests/factories/records';

async function householdWithItem(item: (recordId: string) => AttentionItem) {
  const db = freshDb();
  const h = await createHousehold(db, actor, createHouseholdInput());
  if (!h.ok) throw new Error(JSON.stringify(h));
  const key = await db.attention.add(item(h.record.id));
  return { db, key };
}

const note = 'Gọi trước khi đến';

/** An item about the household `recordId`: a rejected edit of its notes unless overridden. */
const attentionItem =
  (over: Partial<AttentionItem> = {}) =>
  (recordId: string): AttentionItem => ({
    kind: 'rejected',
    entity: 'household',
    recordId,
    fields: { notes: note },
    code: 'wrong_ward',
    message: '',
    at: '2026-01-01T00:00:00Z',
    ...over,
  });

describe('resolving attention items on a full device', () => {
  it.each<[string, (recordId: string) => AttentionItem, (db: GoCuaDB, key: number) => Promise<ResolveResult>]>([
    [
      'keeping my value in a conflict',
      attentionItem({ kind: 'conflict', field: 'notes', mine: note, code: 'conflict' }),
      (db, key) => resolveConflict(db, key, 'mine'),
    ],
    ['sending a rejected record again', attentionItem(), (db, key) => resendRejected(db, key)],
  ])('%s returns a quota failure and changes nothing', async (_, item, resolve) => {
    const { db, key } = await householdWithItem(item);
    const before = await db.households.toArray();
    db.outbox.hook('creating', () => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    expect(await resolve(db, key)).toEqual({ ok: false, reason: 'quota' });
    expect(await db.attention.get(key)).toBeDefined();
    expect(await db.outbox.count()).toBe(1);
    expect(await db.households.toArray()).toEqual(before);
  });
});
