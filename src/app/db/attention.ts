// Resolving "needs attention" items. Like every write, each resolution goes
// through repo.ts's write(): one transaction over the record, the outbox and the
// attention table, with a full disk coming back as a WriteFailure value.
//
// - Conflict, "keep mine": a new mutation sets the field back to my value, with
//   the server's current value as its base, so it applies cleanly on the server.
// - Conflict, "keep theirs": the device already holds the server's value (the
//   pull after the push brought it), so the item is simply closed.
// - Rejected, "send again": after a person has fixed the record, the whole
//   record is queued as a fresh upsert (the server may never have had it).
import { entitySchemas, fieldErrors } from '../../shared/schemas';
import { allFields, applyFields, getField } from '../../shared/fields';
import type { AttentionItem, GoCuaDB } from './database';
import { getRecord, putRecord } from './records';
import { write, type WriteFailure, type WriteResult } from './repo';

export type ResolveResult = { ok: true } | WriteFailure;

export async function resolveConflict(db: GoCuaDB, key: number, choice: 'mine' | 'theirs'): Promise<ResolveResult> {
  const result = await write(db, async (): Promise<WriteResult<AttentionItem>> => {
    const item = await db.attention.get(key);
    if (!item || item.kind !== 'conflict' || !item.field) return { ok: false, reason: 'not_found' };
    if (choice === 'mine' && item.entity !== 'visit') {
      const record = await getRecord(db, item.entity, item.recordId);
      if (!record) return { ok: false, reason: 'not_found' };
      const at = new Date().toISOString();
      const fields = { [item.field]: item.mine ?? null };
      const next = entitySchemas[item.entity].safeParse({ ...applyFields(record, fields), updatedAt: at });
      if (!next.success) return { ok: false, reason: 'invalid', errors: fieldErrors(next.error) };
      await putRecord(db, item.entity, next.data);
      await db.outbox.add({
        entity: item.entity,
        id: item.recordId,
        op: 'upsert',
        fields,
        base: { [item.field]: getField(record, item.field) ?? null },
        at,
      });
    }
    await db.attention.delete(key);
    // "Keep theirs" stores nothing new: the device already holds their value.
    return { ok: true, record: item, changed: choice === 'mine' };
  });
  return result.ok ? { ok: true } : result;
}

export async function resendRejected(db: GoCuaDB, key: number): Promise<ResolveResult> {
  const result = await write(db, async (): Promise<WriteResult<AttentionItem>> => {
    const item = await db.attention.get(key);
    if (!item || item.kind !== 'rejected') return { ok: false, reason: 'not_found' };
    const record = await getRecord(db, item.entity, item.recordId);
    if (!record) return { ok: false, reason: 'not_found' };
    const valid = entitySchemas[item.entity].safeParse(record);
    if (!valid.success) return { ok: false, reason: 'invalid', errors: fieldErrors(valid.error) };
    // A rejected create: the server never had the record, so send all of it.
    // A rejected update: send those fields as they are now, against the base
    // the edit began from, so the server merges them (or reports a conflict).
    const fields = item.base
      ? Object.fromEntries(Object.keys(item.fields).map((k) => [k, getField(record, k) ?? null]))
      : allFields(record);
    await db.outbox.add({
      entity: item.entity,
      id: item.recordId,
      op: 'upsert',
      fields,
      ...(item.base ? { base: item.base } : {}),
      at: new Date().toISOString(),
    });
    await db.attention.delete(key);
    return { ok: true, record: item, changed: true };
  });
  return result.ok ? { ok: true } : result;
}
