// The device side of "exactly once": numbering, batching and acknowledging the
// queue that repo.ts fills. Sending the batches (and what to do about 413 and
// seq_gap answers) is the sync engine's part, in sync/engine.ts.
//
// Invariants (break one and records are lost or doubled):
// 1. An outbox entry is deleted only inside the transaction that records the
//    server's answer for it (applied, duplicate or rejected). A failed, timed-out
//    or unreadable push deletes nothing.
// 2. Every entry gets its protocol sequence number (pushSeq) once, in queue
//    order, before it is first sent; every retry sends the same number. The
//    numbers are contiguous per clientId, which the server checks (seq_gap).
// 3. A rejected entry leaves the queue (the server has moved its counter past
//    it) but never the device: the record stays in its table and an attention
//    item keeps the server's reason until a person deals with it.
import type { AttentionItem, GoCuaDB, OutboxEntry } from './database';
import { getMeta, setMeta } from './meta';
import { MAX_MUTATIONS_PER_PUSH, type Mutation, type MutationResult } from '../../shared/protocol';
import { randomId } from '../../shared/ids';

export const BATCH_BYTES = 512 * 1024;
const LAST_PUSH_SEQ = 'sync.lastPushSeq';

/** This install's id for this user. One per user database, made on first use. */
export async function clientIdOf(db: GoCuaDB): Promise<string> {
  return db.transaction('rw', db.meta, async () => {
    const existing = await getMeta<string>(db, 'clientId');
    if (existing) return existing;
    const id = randomId();
    await setMeta(db, 'clientId', id);
    return id;
  });
}

/** Gives every unnumbered entry its pushSeq, in queue order, in one transaction. */
export async function numberOutbox(db: GoCuaDB): Promise<void> {
  await db.transaction('rw', db.outbox, db.meta, async () => {
    let last = (await getMeta<number>(db, LAST_PUSH_SEQ)) ?? 0;
    const entries = await db.outbox.orderBy('seq').toArray();
    const numbered: OutboxEntry[] = [];
    for (const e of entries) {
      if (e.pushSeq !== undefined) {
        last = Math.max(last, e.pushSeq);
        continue;
      }
      last += 1;
      numbered.push({ ...e, pushSeq: last });
    }
    // One bulk write, not a request per entry: 1,000 visits queued offline are numbered at once.
    if (numbered.length > 0) await db.outbox.bulkPut(numbered);
    await setMeta(db, LAST_PUSH_SEQ, last);
  });
}

function toMutation(e: OutboxEntry): Mutation {
  const m: Mutation = { seq: e.pushSeq!, entity: e.entity, id: e.id, op: e.op, fields: e.fields, at: e.at };
  if (e.base && Object.keys(e.base).length > 0) m.base = e.base;
  return m;
}

const utf8 = new TextEncoder();

/**
 * The next batch to send: queue order, at most `maxCount` (500) mutations and
 * about 512 KB as UTF-8 bytes on the wire — Vietnamese text is up to 3 bytes a
 * character, and the server's 1 MiB limit counts bytes.
 */
export async function nextBatch(db: GoCuaDB, maxCount: number = MAX_MUTATIONS_PER_PUSH, after?: number): Promise<Mutation[]> {
  // `after`: the last pushSeq of a batch still in flight (the engine reads
  // ahead). Its entries, at most maxCount, are still at the head of the queue;
  // the batch is what follows them, so it starts at after + 1.
  const entries = await db.outbox.orderBy('seq').limit(after === undefined ? maxCount : 2 * maxCount).toArray();
  const batch: Mutation[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (after !== undefined && e.pushSeq !== undefined && e.pushSeq <= after) continue;
    if (e.pushSeq === undefined) break; // numbered entries only; numberOutbox runs first
    const m = toMutation(e);
    const size = utf8.encode(JSON.stringify(m)).length;
    if (batch.length >= maxCount || (batch.length > 0 && bytes + size > BATCH_BYTES)) break;
    batch.push(m);
    bytes += size;
  }
  return batch;
}

/**
 * Records the server's answer: acknowledged entries leave the queue, rejections
 * and conflicts become attention items. Only entries the answer covers change.
 */
export async function applyPushResults(db: GoCuaDB, sent: Mutation[], results: MutationResult[]): Promise<number> {
  const bySeq = new Map(sent.map((m) => [m.seq, m]));
  const at = new Date().toISOString();
  const entryKey = (entity: string, id: string, pushSeq: number) => `${entity}\u0000${id}\u0000${pushSeq}`;
  let removed = 0;
  // A constant number of IndexedDB requests per batch (one read, one bulk
  // delete, one bulk add), not several per entry: a 500-entry answer used to be
  // 500 cursor deletes in a row.
  await db.transaction('rw', db.outbox, db.attention, async () => {
    const answered = new Set<string>();
    const items: AttentionItem[] = [];
    for (const r of results) {
      const m = bySeq.get(r.seq);
      if (!m) continue;
      answered.add(entryKey(m.entity, m.id, r.seq));
      if (r.status === 'rejected') {
        items.push({
          kind: 'rejected',
          entity: m.entity,
          recordId: m.id,
          fields: m.fields,
          ...(m.base ? { base: m.base } : {}),
          code: r.error?.code ?? 'rejected',
          message: r.error?.message ?? '',
          ...(r.error?.path ? { path: r.error.path } : {}),
          at,
        });
      }
      for (const field of r.conflicts ?? []) {
        items.push({
          kind: 'conflict',
          entity: m.entity,
          recordId: m.id,
          fields: { [field]: m.fields[field] },
          field,
          mine: m.fields[field],
          code: 'conflict',
          message: '',
          at,
        });
      }
    }
    if (answered.size === 0) return;
    // The entries the answer covers: same record and the same pushSeq (a newer
    // edit of the record, queued meanwhile, has another pushSeq and stays).
    const records = [...new Map(sent.filter((m) => bySeq.has(m.seq)).map((m) => [`${m.entity}\u0000${m.id}`, [m.entity, m.id] as [string, string]])).values()];
    const rows = await db.outbox.where('[entity+id]').anyOf(records).toArray();
    const acknowledged = rows.filter((e) => e.pushSeq !== undefined && answered.has(entryKey(e.entity, e.id, e.pushSeq)));
    if (items.length > 0) await db.attention.bulkAdd(items);
    await db.outbox.bulkDelete(acknowledged.map((e) => e.seq!));
    removed = acknowledged.length;
  });
  return removed;
}

/**
 * After a 409 seq_gap (the server lost its counter, e.g. restored from a
 * backup): renumber every pending entry from the server's lastAppliedSeq + 1.
 * Only when every pending number is above it — renumbering at or below it
 * would make the server answer "duplicate" for entries it never stored.
 */
export async function renumberAfterGap(db: GoCuaDB, lastApplied: number): Promise<boolean> {
  return db.transaction('rw', db.outbox, db.meta, async () => {
    const entries = await db.outbox.orderBy('seq').toArray();
    if (entries.some((e) => e.pushSeq !== undefined && e.pushSeq <= lastApplied)) return false;
    let next = lastApplied;
    for (const e of entries) await db.outbox.update(e.seq!, { pushSeq: ++next });
    await setMeta(db, LAST_PUSH_SEQ, next);
    return true;
  });
}
