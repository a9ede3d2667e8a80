// Resolving "needs attention" items. Like every write, each resolution is one
// transaction over the record, the outbox and the attention table.
//
// - Conflict, "keep mine": a new mutation sets the field back to my value, with
//   the server's current value as its base, so it applies cleanly on the server.
// - Conflict, "keep theirs": the device already holds the server's value (the
//   pull after the push brought it), so the item is simply closed.
// - Rejected, "send again": after a person has fixed the record, the whole
//   record is queued as a fresh upsert (the server may never have had it).
import { entitySchemas, type Entity } from '../../shared/schemas';
import { allFields, applyFields, getField } from '../../shared/fields';
import { emitSaved } from './events';
import { stripLocal, toHouseholdRow, toPersonRow, type GoCuaDB } from './database';

async function currentRecord(db: GoCuaDB, entity: Entity, id: string) {
  const row =
    entity === 'household' ? await db.households.get(id) : entity === 'person' ? await db.people.get(id) : await db.visits.get(id);
  return row ? stripLocal(row) : undefined;
}

export type ResolveResult = { ok: true } | { ok: false; reason: 'not_found' | 'invalid' };

export async function resolveConflict(db: GoCuaDB, key: number, choice: 'mine' | 'theirs'): Promise<ResolveResult> {
  const result = await db.transaction('rw', [db.households, db.people, db.visits, db.outbox, db.attention], async () => {
    const item = await db.attention.get(key);
    if (!item || item.kind !== 'conflict' || !item.field) return { ok: false, reason: 'not_found' } as const;
    if (choice === 'mine' && item.entity !== 'visit') {
      const record = await currentRecord(db, item.entity, item.recordId);
      if (!record) return { ok: false, reason: 'not_found' } as const;
      const at = new Date().toISOString();
      const fields = { [item.field]: item.mine ?? null };
      const next = entitySchemas[item.entity].safeParse({ ...applyFields(record, fields), updatedAt: at });
      if (!next.success) return { ok: false, reason: 'invalid' } as const;
      if (item.entity === 'household') await db.households.put(toHouseholdRow(next.data as never));
      else await db.people.put(toPersonRow(next.data as never));
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
    return { ok: true } as const;
  });
  if (result.ok && choice === 'mine') emitSaved();
  return result;
}

export async function resendRejected(db: GoCuaDB, key: number): Promise<ResolveResult> {
  const result = await db.transaction('rw', [db.households, db.people, db.visits, db.outbox, db.attention], async () => {
    const item = await db.attention.get(key);
    if (!item || item.kind !== 'rejected') return { ok: false, reason: 'not_found' } as const;
    const record = await currentRecord(db, item.entity, item.recordId);
    if (!record) return { ok: false, reason: 'not_found' } as const;
    if (!entitySchemas[item.entity].safeParse(record).success) return { ok: false, reason: 'invalid' } as const;
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
    return { ok: true } as const;
  });
  if (result.ok) emitSaved();
  return result;
}
