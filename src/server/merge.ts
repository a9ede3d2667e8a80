// Per-field merge of one mutation into the server's copy of a record.
//
// The unit is a field key from src/shared/fields.ts: a top-level record key, or
// "platforms.<platform>" for a person's checklists. For each key the client sent:
//   - server value already equals the new value      -> nothing to do
//   - server value equals the client's base value    -> take the new value
//   - otherwise someone else changed it meanwhile     -> keep the server's value,
//     and report a conflict (stored as a row by push.ts; nothing is dropped).
// A key missing from `base` means the client believed the field absent
// (undefined and null compare equal, as in sameValue), which is what a create
// implies. So a blind write over an existing value becomes a conflict, never a
// silent overwrite.
import { applyFields, getField, sameValue, type Fields } from '../shared/fields';
import { PLATFORMS } from '../shared/platforms';
import type { z } from 'zod';
import { entitySchemas, type Entity } from '../shared/schemas';

export interface FieldConflict {
  field: string;
  serverValue: unknown;
  clientValue: unknown;
  baseValue: unknown;
}

export interface MergeResult {
  merged: Record<string, unknown>;
  taken: string[];
  conflicts: FieldConflict[];
}

const IDENTITY_KEYS = new Set(['id', 'createdAt', 'updatedAt']);

export function mergeFields(server: Record<string, unknown>, fields: Fields, base: Fields | undefined): MergeResult {
  const take: Fields = {};
  const conflicts: FieldConflict[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (IDENTITY_KEYS.has(key)) continue;
    const current = getField(server, key);
    if (sameValue(current, value)) continue;
    const baseValue = base?.[key];
    if (sameValue(current, baseValue)) take[key] = value;
    else conflicts.push({ field: key, serverValue: current ?? null, clientValue: value, baseValue: baseValue ?? null });
  }
  return { merged: applyFields(server, take), taken: Object.keys(take), conflicts };
}

const allowedKeys: Record<Entity, Set<string>> = (() => {
  const out = {} as Record<Entity, Set<string>>;
  for (const entity of Object.keys(entitySchemas) as Entity[]) {
    const keys = new Set(Object.keys(entitySchemas[entity].shape));
    for (const k of IDENTITY_KEYS) keys.delete(k);
    if (entity === 'person') {
      keys.delete('platforms');
      for (const p of PLATFORMS) keys.add(`platforms.${p}`);
    }
    out[entity] = keys;
  }
  return out;
})();

/**
 * The first field key that is not a field of this entity, or undefined.
 * Identity keys (id, createdAt, updatedAt) are tolerated and ignored. This also
 * keeps "__proto__"-style keys away from applyFields.
 */
export function unknownFieldKey(entity: Entity, fields: Fields): string | undefined {
  return Object.keys(fields).find((k) => !IDENTITY_KEYS.has(k) && !allowedKeys[entity].has(k));
}

/**
 * Every key in `fields` that the entity's strict schema would refuse: unknown
 * top-level field keys, and unknown keys nested inside known fields (e.g.
 * address.nationalId, platforms.vneid.steps.foo), as paths [fieldKey, ...].
 * unknownFieldKey only sees the top level, and a create's validation only sees
 * the fields it takes; a conflicting update's client value or a `base` is never
 * validated, so without this an extra nested key (a national ID number, say)
 * would be stored in a conflict row or a rejected mutation.
 */
export function strayKeyPaths(entity: Entity, fields: Fields): string[][] {
  const out: string[][] = [];
  const known: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (IDENTITY_KEYS.has(k)) continue;
    if (allowedKeys[entity].has(k)) known[k] = v;
    else out.push([k]);
  }
  const r = entitySchemas[entity].safeParse(applyFields({}, known));
  for (const issue of r.success ? [] : r.error.issues) {
    if (issue.code !== 'unrecognized_keys' || issue.path.length === 0) continue;
    const path = issue.path.map(String);
    const [fieldKey, rest] =
      path[0] === 'platforms' && path.length >= 2 ? [`platforms.${path[1]}`, path.slice(2)] : [path[0]!, path.slice(1)];
    for (const key of issue.keys) out.push([fieldKey, ...rest, key]);
  }
  return out;
}

/** A copy of `fields` without the keys strayKeyPaths finds: what may be stored of a rejected mutation. */
export function withoutStrayKeys(entity: Entity, fields: Fields): Fields {
  const copy = structuredClone(fields);
  for (const [fieldKey, ...rest] of strayKeyPaths(entity, fields)) {
    if (rest.length === 0) {
      delete copy[fieldKey!];
      continue;
    }
    let target: unknown = copy[fieldKey!];
    for (const seg of rest.slice(0, -1)) target = (target as Record<string, unknown> | undefined)?.[seg];
    if (target && typeof target === 'object') delete (target as Record<string, unknown>)[rest[rest.length - 1]!];
  }
  return copy;
}

/**
 * The first conflicting key whose client or base value fails that field's own
 * schema, or undefined. A losing client value is never merged, so the whole-
 * record validation never sees it; without this check a conflict row (and
 * GET /attention) would store whatever the client sent — any type, any
 * content — as if it were a value of that field. null means "cleared" and is
 * fine for optional fields.
 */
export function invalidConflictKey(entity: Entity, conflicts: FieldConflict[]): string | undefined {
  const shape = entitySchemas[entity].shape as Record<string, z.ZodType>;
  const schemaFor = (key: string): z.ZodType | undefined => {
    if (!key.startsWith('platforms.')) return shape[key];
    const platforms = (shape.platforms as unknown as { shape: Record<string, z.ZodType> }).shape;
    return platforms[key.slice('platforms.'.length)];
  };
  for (const c of conflicts) {
    const schema = schemaFor(c.field);
    if (!schema) return c.field;
    for (const value of [c.clientValue, c.baseValue]) {
      if (!schema.safeParse(value === null ? undefined : value).success) return c.field;
    }
  }
  return undefined;
}
