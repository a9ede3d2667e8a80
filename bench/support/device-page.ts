// The browser half of the device benchmarks (local-write, search, start): the
// app's own data layer (src/app/db), bundled into one script that a blank page
// on the app's origin loads, so it reaches the same IndexedDB the app uses.
// Seeding writes rows in bulk (a fixture, not what is measured); what is
// measured goes through the app's functions exactly as the screens call them.
import { GoCuaDB, refreshDue, toHouseholdRow, toPersonRow, toVisitRow } from '../../src/app/db/database';
import { storePulledPage } from '../../src/app/db/pulledPages';
import { recordVisit } from '../../src/app/db/repo';
import { search } from '../../src/app/db/search';
import { searchIndex } from '../../src/app/db/searchIndex';
import { pullAll, PULL_PAGE_LIMIT } from '../../src/app/sync/pull';
import type { PullChange, PullResponse } from '../../src/shared/protocol';
import { emptyPlatforms, type Household, type Person, type Visit } from '../../src/shared/schemas';
import { uuidv7 } from '../../src/shared/ids';
import { benchPush } from './push-page';

const LANES = ['Ngõ 45', 'Ngõ Trạm', 'Ngõ Huế', 'Ngách 12', 'Ngõ Văn Chương', 'Ngõ Hàng Bột', 'Ngõ Thịnh Hào', 'Ngõ Quan Thổ'];
const STREETS = ['Hàng Bông', 'Phố Huế', 'Lý Thường Kiệt', 'Tôn Đức Thắng', 'Nguyễn Khuyến', 'Cát Linh'];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Đức', 'Minh', 'Thu', 'Hữu', 'Ngọc', 'Quang'];
const GIVEN = ['Lan', 'Minh', 'Hoa', 'Tùng', 'Mai', 'Hùng', 'Trang', 'Sơn', 'Hà', 'Nam', 'Thảo', 'Bình', 'Dũng', 'Yến', 'Long', 'Linh'];
const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
const nameOf = (i: number) => `${pick(FAMILY, i)} ${pick(MIDDLE, i >> 3)} ${pick(GIVEN, i >> 5)}`;

/** Households with `shape.people` people and `shape.visits` visits each (1 : 2 : 2 unless told), `total` records in all, over `groups` groups. */
function* generate(total: number, groups: number, wardCode: string, shape: Shape): Generator<{ h: Household; p: Person[]; v: Visit[] }> {
  const households = Math.max(1, Math.floor(total / (1 + shape.people + shape.visits)));
  const at0 = Date.parse('2026-07-24T08:00:00.000Z');
  for (let i = 0; i < households; i++) {
    const at = new Date(at0 + i * 60_000).toISOString();
    const h: Household = {
      id: uuidv7(),
      createdAt: at,
      updatedAt: at,
      deleted: false,
      wardCode,
      group: `TDP ${(i % groups) + 1}`,
      address: { houseNumber: String(1 + (i % 300)), lane: pick(LANES, i >> 2), street: pick(STREETS, i >> 4) },
      headName: nameOf(i),
      phone: `09${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}`,
      povertyStatus: i % 17 === 0 ? 'near_poor' : 'none',
      consent: { given: true, at, by: 'bench' },
    };
    const p = Array.from({ length: shape.people }, (_, k): Person => {
      const platforms = emptyPlatforms();
      if ((i + k) % 23 === 0) platforms.vneid.steps.level2 = { status: 'blocked', blocker: 'nfc_unreadable' };
      return { id: uuidv7(), createdAt: at, updatedAt: at, deleted: false, wardCode, householdId: h.id, fullName: nameOf(i * 2 + k + 7), birthYear: 1940 + ((i + k) % 60), flags: { disability: false, livesAlone: false }, platforms };
    });
    const v = Array.from({ length: shape.visits }, (_, k): Visit => ({
      id: uuidv7(), createdAt: at, updatedAt: at, deleted: false, wardCode, householdId: h.id, channel: 'door',
      at: new Date(at0 + i * 60_000 + k * 86_400_000).toISOString(), volunteerId: 'bench',
      outcome: k === 1 && i % 11 === 0 ? 'revisit' : 'helped', people: [], services: [],
    }));
    yield { h, p, v };
  }
}

interface Shape {
  people: number;
  visits: number;
}

async function seed(name: string, total: number, groups = 12, wardCode = 'BENCH', shape: Shape = { people: 2, visits: 2 }): Promise<{ households: number; records: number; ms: number }> {
  const t0 = performance.now();
  const db = new GoCuaDB(name);
  await db.open();
  let batch: Array<{ h: Household; p: Person[]; v: Visit[] }> = [];
  let households = 0;
  let refreshMs = 0;
  const flush = async () => {
    await db.transaction('rw', [db.households, db.people, db.visits], async () => {
      await db.households.bulkPut(batch.map((b) => toHouseholdRow(b.h)));
      await db.people.bulkPut(batch.flatMap((b) => b.p.map(toPersonRow)));
      await db.visits.bulkPut(batch.flatMap((b) => b.v.map(toVisitRow)));
      const t = performance.now();
      await refreshDue(db, batch.map((b) => b.h.id));
      refreshMs += performance.now() - t;
    });
    households += batch.length;
    batch = [];
    if (households % 10_000 === 0) console.info(`seeded ${households} households in ${Math.round(performance.now() - t0)} ms (follow-up index ${Math.round(refreshMs)} ms)`);
  };
  for (const b of generate(total, groups, wardCode, shape)) {
    batch.push(b);
    if (batch.length === 2_000) await flush();
  }
  if (batch.length) await flush();
  db.close();
  return { households, records: households * (1 + shape.people + shape.visits), ms: performance.now() - t0 };
}

/** Saves `n` visits through recordVisit (what the visit form does), timing each; then the same visit rows by a bare IndexedDB put. */
async function localWrites(name: string, n: number): Promise<{ app: number[]; raw: number[] }> {
  const db = new GoCuaDB(name);
  await db.open();
  const ids = (await db.households.limit(n * 2).primaryKeys()) as string[];
  const actor = { userId: 'bench', wardCode: 'BENCH' };
  const app: number[] = [];
  const raw: number[] = [];
  const idb = db.backendDB();
  for (let i = 0; i < n; i++) {
    const input = { householdId: ids[i]!, channel: 'door' as const, outcome: 'helped' as const, people: [], services: ['VNeID'], notes: 'Hướng dẫn kích hoạt định danh mức 2.' };
    const t0 = performance.now();
    const r = await recordVisit(db, actor, input);
    app.push(performance.now() - t0);
    if (!r.ok) throw new Error(`recordVisit: ${r.reason}`);
    // The baseline: the same record, as a new row, in the same store with the same indexes, one bare put.
    const row = toVisitRow({ ...r.record, id: uuidv7(), householdId: ids[n + i]! });
    const t1 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const tx = idb.transaction(['visits'], 'readwrite');
      tx.objectStore('visits').put(row);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    raw.push(performance.now() - t1);
  }
  db.close();
  return { app, raw };
}

const QUERIES = [
  'nguyen', 'tran thi', 'le van', 'hoang minh', 'pham thu lan', 'ngo 45', 'hang bong', 'pho hue', 'ngach 12', 'van chuong',
  'vu duc', 'dang', 'bui ngoc', 'do quang', 'ho thi', 'ngo huu', 'duong', 'lan', 'minh', 'hoa',
  'tung', 'mai', 'hung', 'trang', 'son', 'ha', 'nam', 'thao', 'binh', 'dung',
  'yen', 'long', 'linh', '0912', '0934', '12 ngo tram', 'cat linh', 'ton duc thang', 'nguyen khuyen', 'quan tho',
  'thinh hao', 'hang bot', 'ly thuong kiet', 'nguyen van lan', 'tran thi hoa', 'le minh', 'pham van', 'hoang thi mai', 'vu thu', 'dang van son',
];

const searchDbs = new Map<string, GoCuaDB>();

/** The 50 queries through search(), on one database object kept open across runs (its word index built before the first). */
async function searches(name: string): Promise<{ ms: number[]; hits: number[] }> {
  let db = searchDbs.get(name);
  if (!db) {
    db = new GoCuaDB(name);
    searchDbs.set(name, db);
    await searchIndex(db);
  }
  const ms: number[] = [];
  const hits: number[] = [];
  for (const q of QUERIES) {
    const t0 = performance.now();
    const r = await search(db, q);
    ms.push(performance.now() - t0);
    hits.push(r.length);
  }
  return { ms, hits };
}

/** Building the word index from the stored rows, as the first search after a reload does: a fresh database object. */
async function searchBuild(name: string): Promise<number> {
  const db = new GoCuaDB(name);
  await db.open();
  const t0 = performance.now();
  await searchIndex(db);
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

async function drop(name: string) {
  searchDbs.get(name)?.close();
  searchDbs.delete(name);
  await new GoCuaDB(name).delete();
}

// ---- Pull benchmarks (bulk-load, first-sync) ----

/** What the page keeps between calls: the generated pull pages, so every run stores the same records. */
let pulled: { pages: PullResponse[]; records: number } | undefined;

/**
 * Generates `total` records (households with `shape` people and visits each) as
 * the server's pull pages of `pageSize` changes: { entity, id, record, version },
 * versions counting up from 1, the cursor at each page's last version. Kept in
 * the page; returns how many records and pages.
 */
function makePullPages(total: number, pageSize: number, shape: Shape = { people: 2, visits: 2 }): { records: number; pages: number } {
  const changes: PullChange[] = [];
  let version = 0;
  for (const { h, p, v } of generate(total, 12, 'BENCH', shape)) {
    changes.push({ entity: 'household', id: h.id, record: h, version: ++version });
    for (const x of p) changes.push({ entity: 'person', id: x.id, record: x, version: ++version });
    for (const x of v) changes.push({ entity: 'visit', id: x.id, record: x, version: ++version });
  }
  const pages: PullResponse[] = [];
  for (let i = 0; i < changes.length; i += pageSize) {
    const slice = changes.slice(i, i + pageSize);
    pages.push({ changes: slice, cursor: slice[slice.length - 1]!.version, hasMore: i + pageSize < changes.length });
  }
  pulled = { pages, records: changes.length };
  return { records: changes.length, pages: pages.length };
}

/** The pages' records as PouchDB documents (the record with _id and its entity), for the baseline. */
function pouchDocs(): Array<{ _id: string }> {
  if (!pulled) throw new Error('makePullPages first');
  return pulled.pages.flatMap((pg) => pg.changes.map((c) => ({ ...c.record, _id: c.id, entity: c.entity })));
}

/** Row counts of the device database `name`, to check that a run stored everything. */
async function counts(db: GoCuaDB): Promise<{ households: number; people: number; visits: number }> {
  const [households, people, visits] = await Promise.all([db.households.count(), db.people.count(), db.visits.count()]);
  return { households, people, visits };
}

/**
 * Stores the generated pages into a fresh device database `name` through
 * storePulledPage, page after page as pullAll does (each after the cursor of the
 * one before). The database is opened before timing, as the app's is when it
 * pulls. Returns ms and what the database then holds.
 */
async function bulkLoad(name: string): Promise<{ ms: number; stored: number; counts: { households: number; people: number; visits: number } }> {
  if (!pulled) throw new Error('makePullPages first');
  await new GoCuaDB(name).delete();
  const db = new GoCuaDB(name);
  await db.open();
  let from = 0;
  let stored = 0;
  const t0 = performance.now();
  for (const page of pulled.pages) {
    const n = await storePulledPage(db, page, from);
    if (n === 'cursor_moved') throw new Error('cursor moved');
    stored += n;
    from = page.cursor;
  }
  const ms = performance.now() - t0;
  const c = await counts(db);
  db.close();
  await new GoCuaDB(name).delete();
  return { ms, stored, counts: c };
}

/**
 * The floor: the same records as the same rows (index fields computed before
 * timing) put into the same stores, with the same indexes, by bare IndexedDB
 * puts, one native transaction per page with the cursor; no reads, no checks.
 */
async function rawLoad(name: string, durability: IDBTransactionDurability = 'default'): Promise<number> {
  if (!pulled) throw new Error('makePullPages first');
  await new GoCuaDB(name).delete();
  const db = new GoCuaDB(name);
  await db.open();
  const idb = db.backendDB();
  const toRow = { household: toHouseholdRow, person: toPersonRow, visit: toVisitRow } as Record<string, (r: never) => unknown>;
  const store = { household: 'households', person: 'people', visit: 'visits' } as Record<string, string>;
  // Grouped by store, as Dexie's bulkPut per table does.
  const pages = pulled.pages.map((pg) => ({
    cursor: pg.cursor,
    rows: pg.changes.map((c) => [store[c.entity]!, toRow[c.entity]!(c.record as never)] as const).sort((a, b) => a[0].localeCompare(b[0])),
  }));
  const t0 = performance.now();
  for (const pg of pages) {
    await new Promise<void>((resolve, reject) => {
      const tx = idb.transaction(['households', 'people', 'visits', 'meta'], 'readwrite', { durability });
      for (const [s, row] of pg.rows) tx.objectStore(s).put(row);
      tx.objectStore('meta').put({ key: 'sync.cursor', value: pg.cursor });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  const ms = performance.now() - t0;
  db.close();
  await new GoCuaDB(name).delete();
  return ms;
}

/** PouchDB bulkDocs of the same records, 1,000 a call, into a fresh database (pouch-page.ts). */
async function pouchBulkLoad(name: string): Promise<number> {
  const pouch = (window as unknown as { benchPouch: { bulkLoad(n: string, d: Array<{ _id: string }>, b?: number): Promise<number>; destroy(n: string): Promise<void> } }).benchPouch;
  await pouch.destroy(name);
  const docs = pouchDocs();
  const ms = await pouch.bulkLoad(name, docs, 1000);
  await pouch.destroy(name);
  return ms;
}

/** Signs in on the app's origin (the session cookie then goes with every request of the page). */
async function signIn(username: string, password: string): Promise<{ id: string }> {
  const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }), credentials: 'same-origin' });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status}`);
  const body = (await res.json()) as { user: { id: string } };
  return { id: body.user.id };
}

/** First sync: the app's pullAll into a fresh device database `name`, from cursor 0 until done. */
async function firstSync(name: string, userId: string): Promise<{ ms: number; pulled: number; counts: { households: number; people: number; visits: number } }> {
  await new GoCuaDB(name).delete();
  const db = new GoCuaDB(name);
  await db.open();
  const t0 = performance.now();
  const r = await pullAll(db, {}, undefined, userId);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`pullAll: ${JSON.stringify(r)}`);
  const c = await counts(db);
  db.close();
  await new GoCuaDB(name).delete();
  return { ms, pulled: r.pulled, counts: c };
}

/** The baseline: the same pages over HTTP (same limit, same cookie), fetched and JSON.parse'd one after another; nothing stored. */
async function rawPull(userId: string, limit = PULL_PAGE_LIMIT): Promise<{ ms: number; records: number; pages: number }> {
  let cursor = 0;
  let records = 0;
  let pages = 0;
  const t0 = performance.now();
  for (;;) {
    const res = await fetch(`/api/v1/sync/pull?cursor=${cursor}&limit=${limit}&user=${encodeURIComponent(userId)}`, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`pull: ${res.status}`);
    const page = JSON.parse(await res.text()) as PullResponse;
    records += page.changes.length;
    pages++;
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return { ms: performance.now() - t0, records, pages };
}

Object.assign(window, {
  benchDevice: { seed, localWrites, searches, searchBuild, drop, queries: QUERIES.length, makePullPages, bulkLoad, rawLoad, pouchBulkLoad, signIn, firstSync, rawPull, pullLimit: PULL_PAGE_LIMIT },
});

// The push benchmark's functions, on their own global (push-page.ts).
Object.assign(window, { benchPush });
