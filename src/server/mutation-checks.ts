// What a push and each of its mutations may contain. inSeqOrder refuses the
// whole push (ApiError). Every other check throws a Rejection (errors.ts): that
// one mutation is refused, the rest of the push goes on. push.ts runs them in
// this order:
//   1. checkMutationInput, before anything is read: every field key is a field
//      of the entity; no NUL in fields or base (parseOr400 left those to us so
//      that one bad record does not refuse the whole push); no unknown key
//      nested inside a known field, or anywhere in base.
//   2. validateRecord, on the record that a create builds or an update merges.
//   3. checkConflictValues, on the values that an update lost to the server's.
// Why 1 and 3 exist: a create's validation sees only the fields it takes, and
// a conflicting update's client value or a `base` is never validated. Without
// them an extra nested key (a national ID number, say) or a value of any type
// would be stored in a conflict row or a rejected mutation.
//
// Pure: no database. The field-key format is src/shared/fields.ts's.
import type { z } from 'zod';
import { IDENTITY_KEYS, applyFields, fieldKeyOfPath, fieldKeysOf, platformOfKey, type Fields } from '../shared/fields';
import type { Mutation } from '../shared/protocol';
import { ENTITIES, entitySchemas, type Entity } from '../shared/schemas';
import { ApiError, Rejection } from './errors';
import { findNul } from './input-guard';
import type { FieldConflict } from './merge';

type Rec = Record<string, unknown>;

/** A push's mutations sorted by seq; 400 invalid_request when two share a seq. */
export function inSeqOrder(mutations: readonly Mutation[]): Mutation[] {
  const sorted = [...mutations].sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.seq === sorted[i - 1]!.seq) {
      throw new ApiError(400, 'invalid_request', 'Two mutations in one push share a seq', {
        issues: [{ path: 'mutations', message: `seq ${sorted[i]!.seq} appears twice` }],
      });
    }
  }
  return sorted;
}

/** The field keys a mutation of each entity may carry, identity keys excluded. */
const allowedKeys = Object.fromEntries(
  ENTITIES.map((entity) => [entity, fieldKeysOf(Object.keys(entitySchemas[entity].shape))]),
) as Record<Entity, Set<string>>;

/**
 * The first field key that is not a field of this entity, or undefined.
 * Identity keys (id, createdAt, updatedAt) are tolerated and ignored. This also
 * keeps "__proto__"-style keys away from applyFields.
 */
function unknownFieldKey(entity: Entity, fields: Fields): string | undefined {
  return Object.keys(fields).find((k) => !IDENTITY_KEYS.has(k) && !allowedKeys[entity].has(k));
}

/**
 * Every key in `fields` that the entity's strict schema would refuse: unknown
 * top-level field keys, and unknown keys nested inside known fields (e.g.
 * address.nationalId, platforms.vneid.steps.foo), as paths [fieldKey, ...].
 */
function strayKeyPaths(entity: Entity, fields: Fields): string[][] {
  if (eachFieldValid(entity, fields)) return [];
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
    const [fieldKey, rest] = fieldKeyOfPath(issue.path.map(String));
    for (const key of issue.keys) out.push([fieldKey, ...rest, key]);
  }
  return out;
}

/**
 * True when every key is a field of the entity and every value passes its
 * field's own schema, so that strayKeyPaths finds nothing: a strict schema
 * that accepts a value has no unknown key inside it, and the whole-record
 * parse below checks each value against that same schema. A null top-level
 * value is an absent key there (applyFields). This is the common case, and
 * parses that succeed cost a fraction of the failing whole-record parse
 * (required keys missing from a partial record); anything else falls back to
 * it, so the answer is the same.
 */
function eachFieldValid(entity: Entity, fields: Fields): boolean {
  for (const [key, value] of Object.entries(fields)) {
    if (IDENTITY_KEYS.has(key)) continue;
    if (!allowedKeys[entity].has(key)) return false;
    if (value === null && platformOfKey(key) === undefined) continue;
    const schema = fieldSchema(entity, key);
    if (!schema || !schema.safeParse(value).success) return false;
  }
  return true;
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
    for (const seg of rest.slice(0, -1)) target = (target as Rec | undefined)?.[seg];
    if (target && typeof target === 'object') delete (target as Rec)[rest[rest.length - 1]!];
  }
  return copy;
}

/** A path inside a mutation as the rejection reports it: "address.lane", or "base.address.lane". */
const pathIn = (part: 'fields' | 'base', path: (string | number)[]) => (part === 'base' ? ['base', ...path] : path).join('.');

/**
 * Check 1: the keys and text of a mutation's fields and base, before anything
 * is read or merged. In two parts, run back to back: checkMutationKeys, then
 * checkStrayKeys. Between them push.ts may build a create's whole record
 * (applyFields is safe once the keys are known) and parse it: if the strict
 * schema accepts that record, its fields hold no stray key, and
 * checkStrayKeys need not parse them again (fieldsProven).
 */
export function checkMutationInput(m: { entity: Entity; fields: Fields; base?: Fields | undefined }): void {
  checkMutationKeys(m);
  checkStrayKeys(m, false);
}

/** Check 1a: every top-level key is a field of the entity; no NUL in fields or base. */
export function checkMutationKeys(m: { entity: Entity; fields: Fields; base?: Fields | undefined }): void {
  const badKey = unknownFieldKey(m.entity, m.fields);
  if (badKey !== undefined) throw new Rejection('invalid_record', `Unknown field "${badKey}" for ${m.entity}`, badKey);
  for (const [part, value] of [['fields', m.fields], ['base', m.base]] as const) {
    const nul = findNul(value);
    if (nul) throw new Rejection('invalid_record', 'Text must not contain the NUL character (U+0000)', pathIn(part, nul));
  }
}

/**
 * Check 1b: no unknown key nested inside a known field, in fields (unless
 * fieldsProven: the caller's strict parse of a record built from them passed)
 * or in base.
 */
export function checkStrayKeys(m: { entity: Entity; fields: Fields; base?: Fields | undefined }, fieldsProven: boolean): void {
  for (const [part, value] of [['fields', fieldsProven ? {} : m.fields], ['base', m.base ?? {}]] as const) {
    const stray = strayKeyPaths(m.entity, value)[0];
    if (stray) {
      const path = pathIn(part, stray);
      throw new Rejection('invalid_record', `Unknown field "${path}" for ${m.entity}`, path);
    }
  }
}

/** Check 2: validates with the shared schema; returns the parsed (normalised) record. */
export function validateRecord(entity: Entity, record: Rec): Rec {
  return validated(entity, parseRecord(entity, record));
}

/** The shared schema's parse of a record, for validated() later: one parse where the result is needed twice (push.ts, a create). */
export function parseRecord(entity: Entity, record: Rec): z.ZodSafeParseResult<Rec> {
  return entitySchemas[entity].safeParse(record) as z.ZodSafeParseResult<Rec>;
}

/** Check 2 on a parse already made: the record, or the Rejection validateRecord throws. */
export function validated(entity: Entity, r: z.ZodSafeParseResult<Rec>): Rec {
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue ? issue.path.map(String).join('.') : '';
  throw new Rejection('invalid_record', `Invalid ${entity}: ${issue?.message ?? 'invalid'}${path ? ` at ${path}` : ''}`, path);
}

/**
 * The first conflicting key whose client or base value fails that field's own
 * schema, or undefined. A losing client value is never merged, so the whole-
 * record validation never sees it; without this check a conflict row (and
 * GET /attention) would store whatever the client sent — any type, any
 * content — as if it were a value of that field. null means "cleared" and is
 * fine for optional fields.
 */
function invalidConflictKey(entity: Entity, conflicts: FieldConflict[]): string | undefined {
  for (const c of conflicts) {
    const schema = fieldSchema(entity, c.field);
    if (!schema) return c.field;
    for (const value of [c.clientValue, c.baseValue]) {
      if (!schema.safeParse(value === null ? undefined : value).success) return c.field;
    }
  }
  return undefined;
}

/** The schema of one field key of an entity (a checklist key's is its platform's), or undefined for an unknown key. */
export function fieldSchema(entity: Entity, key: string): z.ZodType | undefined {
  const shape = entitySchemas[entity].shape as Record<string, z.ZodType>;
  const platform = platformOfKey(key);
  if (platform === undefined) return Object.hasOwn(shape, key) ? shape[key] : undefined;
  const platforms = (shape.platforms as unknown as { shape: Record<string, z.ZodType> }).shape;
  return platforms[platform];
}

/** Check 3: the client and base values of every conflict are valid values of their field. */
export function checkConflictValues(entity: Entity, conflicts: FieldConflict[]): void {
  const bad = invalidConflictKey(entity, conflicts);
  if (bad !== undefined) throw new Rejection('invalid_record', `Invalid ${entity}: the value or base of "${bad}" is not valid`, bad);
}
