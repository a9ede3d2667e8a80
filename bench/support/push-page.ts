// The browser half of the push benchmark (window.benchPush), bundled into the
// device bench page: a device signed in against the real server, households
// created and synced through the app, then visits recorded offline through
// recordVisit (what the visit form calls) and pushed by the app's own sync
// engine (SyncEngine.pushNow: the push half of syncNow, same lock, same code).
import { GoCuaDB } from '../../src/app/db/database';
import { createHousehold, recordVisit, type Actor } from '../../src/app/db/repo';
import { SyncEngine } from '../../src/app/sync/engine';
import { applyPushResults, clientIdOf, nextBatch, numberOutbox } from '../../src/app/db/outbox';
import { deviceReport } from '../../src/app/sync/deviceReport';
import { gzip } from '../../src/app/sync/http';
import { PROTOCOL_VERSION, pushResponseSchema } from '../../src/shared/protocol';
import type { Visit } from '../../src/shared/schemas';

const LANES = ['Ngõ 45', 'Ngõ Trạm', 'Ngõ Huế', 'Ngách 12', 'Ngõ Văn Chương', 'Ngõ Hàng Bột'];
const STREETS = ['Hàng Bông', 'Phố Huế', 'Lý Thường Kiệt', 'Cát Linh'];
const HEADS = ['Nguyễn Văn An', 'Trần Thị Lan', 'Lê Minh Hùng', 'Phạm Thu Hà', 'Hoàng Đức Sơn', 'Vũ Ngọc Mai'];
const SERVICES = ['VNeID', 'iHanoi', 'Đăng ký thường trú', 'Cấp đổi căn cước', 'Cấp phiếu lý lịch tư pháp'];
const NOTES = [
  'Hướng dẫn kích hoạt định danh mức 2.',
  'Bà cụ nghe kém, cần nói to và chậm.',
  'Con trai đi làm xa, hẹn lại cuối tuần.',
  'Điện thoại cũ không đọc được chip căn cước.',
  'Đã cài iHanoi, tự gửi được phản ánh.',
  '',
];
const OUTCOMES = ['helped', 'helped', 'helped', 'not_home', 'declined', 'revisit'] as const;
const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;

export interface PushUser {
  id: string;
  wardCode: string;
  groups: string[];
}

/** One push request as the page saw it: when it left and when its answer was read, relative to the push's start. */
export interface PushRequestTiming {
  startMs: number;
  endMs: number;
  status: number;
}

async function signIn(username: string, password: string): Promise<void> {
  const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`sign-in ${res.status}`);
}

const engineOf = (db: GoCuaDB, name: string, user: PushUser) => new SyncEngine(db, `bench-push-${name}`, {}, user.id);

/**
 * A fresh device database `name` for `user`: `households` households created
 * and synced (a full push and pull, not measured), then `visits` visits
 * recorded offline, round-robin over the households. Returns the visits as
 * recordVisit stored them (what the outbox carries), for the baseline and the
 * gzip payload.
 */
async function prepare(name: string, user: PushUser, households: number, visits: number): Promise<{ visits: Visit[]; outbox: number; recordMs: number }> {
  const db = new GoCuaDB(name);
  await db.open();
  const actor: Actor = { userId: user.id, wardCode: user.wardCode };
  const ids: string[] = [];
  for (let i = 0; i < households; i++) {
    const r = await createHousehold(db, actor, {
      group: pick(user.groups, i),
      address: { houseNumber: String(1 + i), lane: pick(LANES, i >> 1), street: pick(STREETS, i >> 3) },
      headName: pick(HEADS, i),
      phone: `09${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}`,
      povertyStatus: i % 17 === 0 ? 'near_poor' : 'none',
      consentGiven: true,
    });
    if (!r.ok) throw new Error(`createHousehold: ${r.reason}`);
    ids.push(r.record.id);
  }
  const synced = await engineOf(db, name, user).syncNow();
  if (!synced.ok) throw new Error(`household sync: ${synced.error}`);
  const t0 = performance.now();
  const out: Visit[] = [];
  for (let i = 0; i < visits; i++) {
    const outcome = pick(OUTCOMES, i);
    const r = await recordVisit(db, actor, {
      householdId: ids[i % ids.length]!,
      channel: 'door',
      outcome,
      people: [],
      services: outcome === 'helped' ? [pick(SERVICES, i >> 1), ...(i % 3 === 0 ? [pick(SERVICES, i + 2)] : [])] : [],
      ...(pick(NOTES, i >> 2) ? { notes: pick(NOTES, i >> 2) } : {}),
      ...(outcome === 'revisit' ? { followUpOn: '2026-12-05' } : {}),
    });
    if (!r.ok) throw new Error(`recordVisit: ${r.reason}`);
    out.push(r.record);
  }
  const recordMs = performance.now() - t0;
  const outbox = await db.outbox.count();
  db.close();
  return { visits: out, outbox, recordMs };
}

/** Runs the engine's push until the outbox is empty; returns its time, each request's timing and what is left. */
async function push(name: string, user: PushUser): Promise<{ ms: number; pushed: number; outboxAfter: number; requests: PushRequestTiming[] }> {
  const db = new GoCuaDB(name);
  await db.open();
  const engine = engineOf(db, name, user);
  const requests: PushRequestTiming[] = [];
  const realFetch = window.fetch;
  let t0 = 0;
  window.fetch = async (input, init) => {
    const startMs = performance.now() - t0;
    const res = await realFetch(input, init);
    const body = await res.arrayBuffer(); // read here so endMs includes the answer
    requests.push({ startMs, endMs: performance.now() - t0, status: res.status });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  try {
    t0 = performance.now();
    const r = await engine.pushNow();
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(`push: ${r.error}`);
    const outboxAfter = await db.outbox.count();
    return { ms, pushed: r.pushed, outboxAfter, requests };
  } finally {
    window.fetch = realFetch;
    db.close();
  }
}

/**
 * Diagnostics (`--profile`): the engine's push loop step by step, each step
 * timed, to show where the device's share of the time goes. Mirrors
 * SyncEngine.push (no 413/seq_gap handling); not what the figures measure.
 */
async function profile(name: string, user: PushUser): Promise<Record<string, number>> {
  const db = new GoCuaDB(name);
  await db.open();
  const t: Record<string, number> = {};
  const time = async <T>(k: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await fn();
    t[k] = (t[k] ?? 0) + performance.now() - t0;
    return r;
  };
  const clientId = await time('clientId', () => clientIdOf(db));
  await time('numberOutbox', () => numberOutbox(db));
  const device = await time('deviceReport', () => deviceReport(db));
  for (;;) {
    const batch = await time('nextBatch', () => nextBatch(db));
    if (batch.length === 0) break;
    const body = await time('stringify+gzip', async () => gzip(JSON.stringify({ protocol: PROTOCOL_VERSION, clientId, userId: user.id, device, mutations: batch })));
    const res = await time('fetch', () => fetch('/api/v1/sync/push', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: body! }));
    const answer = await time('read+parse answer', async () => pushResponseSchema.parse(JSON.parse(await res.text())));
    await time('applyPushResults', () => applyPushResults(db, batch, answer.results));
  }
  db.close();
  return t;
}

async function drop(name: string): Promise<void> {
  await new GoCuaDB(name).delete();
}

export const benchPush = { signIn, prepare, push, profile, drop };
export type BenchPush = typeof benchPush;
