// What is kept of a rejected mutation's fields and base: a bounded copy.
//
// A rejected mutation failed validation, so its values can be anything the
// body limit allows: a 1 MB note, 100,000 array items, 10,000 levels of
// nesting. rejected_mutations keeps them so the user (and GET /attention) can
// see what to fix, which needs the shape, not every byte. So every value is
// cut, by what the shared schema says about its field:
//   - a text to its schema's maximum length (notes 1,000, headName 100, ...),
//     or MAX_TEXT when the schema has none (phone, ids, times) or the value
//     is not where the schema expects text; a cut text ends in "…";
//   - an array to its schema's maximum count, or MAX_ITEMS;
//   - an object to MAX_KEYS keys of MAX_KEY_CHARS (the schemas' objects have fewer);
//   - anything nested deeper than MAX_DEPTH becomes null;
//   - and the whole copy to about MAX_STORED_CHARS characters of JSON: once
//     that budget is spent, texts are empty and arrays and objects stop.
// Recursion is bounded by MAX_DEPTH, not by the input. Keys the strict
// schemas refuse are removed before this (withoutStrayKeys).
import type { z } from 'zod';
import type { Fields } from '../shared/fields';
import type { Entity } from '../shared/schemas';
import { fieldSchema } from './mutation-checks';

export const MAX_STORED_CHARS = 8_000;
const MAX_TEXT = 200;
const MAX_ITEMS = 50;
const MAX_KEYS = 50;
const MAX_KEY_CHARS = 100;
const MAX_DEPTH = 8;

/** Zod 4 internals this file reads: the def's type, wrapped schemas and length checks. */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  checks?: { _zod: { def: { check: string; maximum?: number } } }[];
}
const defOf = (schema: z.ZodType) => (schema as unknown as { def: SchemaDef }).def;

/** The schema under optional/nullable/default/readonly wrappers and a pipe's input (phone's transform). */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  for (let s = schema, i = 0; s && i < 10; i++) {
    const def = defOf(s);
    const inner = def.type === 'pipe' ? def.in : def.innerType;
    if (!inner) return s;
    s = inner;
  }
  return undefined;
}

/** A string's or array's max length check, if the schema has one. */
function maxLengthOf(schema: z.ZodType | undefined): number | undefined {
  const check = schema && defOf(schema).checks?.find((c) => c._zod.def.check === 'max_length');
  return check?._zod.def.maximum;
}

const cutText = (text: string, max: number): string => {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = max - 1;
  // Do not leave half of a surrogate pair (an emoji) before the ellipsis.
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
};

function bound(value: unknown, schema: z.ZodType | undefined, depth: number, budget: { left: number }): unknown {
  const s = unwrap(schema);
  const def = s && defOf(s);
  if (typeof value === 'string') {
    const max = def?.type === 'string' ? (maxLengthOf(s) ?? MAX_TEXT) : MAX_TEXT;
    const text = cutText(value, Math.min(max, budget.left));
    budget.left -= JSON.stringify(text).length;
    return text;
  }
  if (value === null || typeof value !== 'object') {
    budget.left -= 8;
    return value;
  }
  if (depth >= MAX_DEPTH) {
    budget.left -= 4;
    return null;
  }
  if (Array.isArray(value)) {
    const array = def?.type === 'array' ? s : undefined;
    const max = maxLengthOf(array) ?? MAX_ITEMS;
    const out: unknown[] = [];
    for (let i = 0; i < Math.min(value.length, max) && budget.left > 0; i++) {
      budget.left -= 1;
      out.push(bound(value[i], array && defOf(array).element, depth + 1, budget));
    }
    return out;
  }
  const shape = def?.type === 'object' ? def.shape : undefined;
  return boundObject(value, (key) => (shape && Object.hasOwn(shape, key) ? shape[key] : undefined), depth, budget);
}

/** At most MAX_KEYS keys of MAX_KEY_CHARS, each value bounded by the schema `schemaOf` gives its key. */
function boundObject(value: object, schemaOf: (key: string) => z.ZodType | undefined, depth: number, budget: { left: number }) {
  const entries: [string, unknown][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (budget.left <= 0 || entries.length >= MAX_KEYS) break;
    const k = key.slice(0, MAX_KEY_CHARS);
    budget.left -= k.length + 3;
    entries.push([k, bound(v, schemaOf(key), depth + 1, budget)]);
  }
  return Object.fromEntries(entries);
}

/** A copy of a mutation's fields (or base) that is safe to store however large the input was. */
export function boundedForStorage(entity: Entity, fields: Fields): Fields {
  return boundObject(fields, (key) => fieldSchema(entity, key), 0, { left: MAX_STORED_CHARS });
}
