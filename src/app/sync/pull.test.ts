// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { pullAll } from './pull';
import { pullCursor, resetPullCursor } from '../db/pulledPages';
import type { GoCuaDB } from '../db/database';
import { PULL_MAX_LIMIT, type PullResponse } from '../../shared/protocol';
import { createHouseholdRecord, freshDb } from '../../../tests/factories/records';

/** Three pages of two households each, served by the cursor they follow: 0 → 2 → 4 → 6. */
function threePages(): Map<number, PullResponse> {
  const pages = new Map<number, PullResponse>();
  for (const from of [0, 2, 4]) {
    const changes = [1, 2].map((n) => {
      const h = createHouseholdRecord();
      return { entity: 'household' as const, id: h.id, record: h, version: from + n };
    });
    pages.set(from, { changes, cursor: from + 2, hasMore: from < 4 });
  }
  return pages;
}

/** A server answering pulls from `pages`; `asked` lists the cursors requested. */
function server(pages: Map<number, PullResponse>, before?: (cursor: number) => Promise<void>) {
  const asked: number[] = [];
  const fetchImpl = (async (url: string) => {
    const cursor = Number(new URL(url, 'http://x').searchParams.get('cursor'));
    asked.push(cursor);
    await before?.(cursor);
    return new Response(JSON.stringify(pages.get(cursor)), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { asked, fetchImpl };
}

/** Makes storing a household fail once `stored` households are in (a full disk). */
function failHouseholdsAfter(db: GoCuaDB, stored: number) {
  let created = 0;
  db.households.hook('creating', () => {
    if (++created > stored) throw new DOMException('full', 'QuotaExceededError');
  });
}

describe('pulling every page', () => {
  it('stores every page and ends at the last cursor', async () => {
    const db = freshDb();
    const pages = threePages();
    const { asked, fetchImpl } = server(pages);
    expect(await pullAll(db, { fetchImpl })).toEqual({ ok: true, pulled: 6 });
    expect(asked).toEqual([0, 2, 4]);
    expect(await db.households.count()).toBe(6);
    expect(await pullCursor(db)).toBe(6);
  });

  it('asks for pages as big as the server allows', async () => {
    const db = freshDb();
    const limits: string[] = [];
    const { fetchImpl } = server(threePages());
    const recording = (async (url: string) => {
      limits.push(new URL(url, 'http://x').searchParams.get('limit') ?? '');
      return fetchImpl(url);
    }) as typeof fetch;
    await pullAll(db, { fetchImpl: recording });
    expect(limits).toEqual([String(PULL_MAX_LIMIT), String(PULL_MAX_LIMIT), String(PULL_MAX_LIMIT)]);
  });

  it('asks for the next page before the current one is stored', async () => {
    const db = freshDb();
    let cursorWhenAsked: number | undefined;
    const { fetchImpl } = server(threePages(), async (cursor) => {
      if (cursor === 2) cursorWhenAsked = await pullCursor(db);
    });
    await pullAll(db, { fetchImpl });
    expect(cursorWhenAsked).toBe(0);
  });

  it('a page that fails to store keeps the cursor at the page before, and nothing after it is stored', async () => {
    const db = freshDb();
    failHouseholdsAfter(db, 2);
    const pages = threePages();
    const { fetchImpl } = server(pages);
    await expect(pullAll(db, { fetchImpl })).rejects.toThrow();
    expect(await pullCursor(db)).toBe(2);
    expect((await db.households.toCollection().primaryKeys()).sort()).toEqual(pages.get(0)!.changes.map((c) => c.id).sort());
  });

  it('a cursor reset during the pull (new groups) restarts from the reset cursor, not from the page fetched ahead', async () => {
    const db = freshDb();
    let reset = false;
    const { asked, fetchImpl } = server(threePages(), async (cursor) => {
      if (cursor !== 4 || reset) return;
      // The page after cursor 2 is being stored, or is stored: reset once it is.
      while ((await pullCursor(db)) !== 4) await new Promise((r) => setTimeout(r, 1));
      await resetPullCursor(db);
      reset = true;
    });
    const result = await pullAll(db, { fetchImpl });
    expect(asked).toEqual([0, 2, 4, 0, 2, 4]);
    expect(result).toEqual({ ok: true, pulled: 10 });
    expect(await pullCursor(db)).toBe(6);
  });

  it('a failed request leaves the stored pages and their cursor', async () => {
    const db = freshDb();
    const pages = threePages();
    pages.delete(4);
    const { fetchImpl } = server(pages);
    expect(await pullAll(db, { fetchImpl })).toMatchObject({ ok: false, kind: 'unexpected' });
    expect(await pullCursor(db)).toBe(4);
  });
});
