// Field-level changes, the unit of sync and of merge.
//
// A mutation carries only the fields that changed ("fields") and what they were
// when the edit began ("base"). Field keys are top-level record keys, except a
// person's checklists, which are split per platform ("platforms.vneid") so two
// volunteers who help the same person on different platforms never conflict.
//
// DO NOT CHANGE THE KEY FORMAT WITHOUT BUMPING PROTOCOL_VERSION: the server's
// merge and stored conflicts depend on it. Every reader and writer of the
// format, on the device and on the server (merge.ts, mutation-checks.ts), goes
// through the exports of this file: IDENTITY_KEYS, platformKey, platformOfKey,
// fieldKeyOfPath and fieldKeysOf.
import { PLATFORMS } from './platforms';

export type Fields = Record<string, unknown>;

/** Keys that never travel as changes: the server owns them or they are identity. */
export const IDENTITY_KEYS: ReadonlySet<string> = new Set(['id', 'createdAt', 'updatedAt']);

const PLATFORM_PREFIX = 'platforms.';

/** The field key of one platform's checklist: "platforms.vneid". */
export function platformKey(platform: string): string {
  return `${PLATFORM_PREFIX}${platform}`;
}

/** The platform that a "platforms.<platform>" key names, or undefined for a top-level key. */
export function platformOfKey(key: string): string | undefined {
  return key.startsWith(PLATFORM_PREFIX) ? key.slice(PLATFORM_PREFIX.length) : undefined;
}

/**
 * A path into a record (as a schema reports it) split into its field key and
 * the rest: ["platforms", "vneid", "steps"] -> ["platforms.vneid", ["steps"]],
 * ["address", "lane"] -> ["address", ["lane"]].
 */
export function fieldKeyOfPath(path: readonly string[]): [string, string[]] {
  return path[0] === 'platforms' && path.length >= 2
    ? [platformKey(path[1]!), path.slice(2)]
    : [path[0]!, path.slice(1)];
}

/** The field keys of a record whose top-level keys are these: no identity keys, checklists per platform. */
export function fieldKeysOf(recordKeys: Iterable<string>): Set<string> {
  const keys = new Set<string>();
  for (const k of recordKeys) {
    if (IDENTITY_KEYS.has(k)) continue;
    if (k === 'platforms') for (const p of PLATFORMS) keys.add(platformKey(p));
    else keys.add(k);
  }
  return keys;
}

function flatten(record: Record<string, unknown>): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(record)) {
    if (IDENTITY_KEYS.has(k)) continue;
    if (k === 'platforms' && v && typeof v === 'object') {
      for (const p of PLATFORMS) out[platformKey(p)] = (v as Record<string, unknown>)[p];
    } else out[k] = v;
  }
  return out;
}

/** Stable JSON with sorted keys, so equal values compare equal regardless of key order. */
function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

/** Every field of a record, for a create. Absent optional fields are simply not listed. */
export function allFields(record: object): Fields {
  const flat = flatten(record as Record<string, unknown>);
  for (const k of Object.keys(flat)) if (flat[k] === undefined) delete flat[k];
  return flat;
}

/**
 * Changed fields between two versions of a record, and their values before.
 * A cleared optional field appears with the value null (JSON has no undefined).
 */
export function diffFields(before: object, after: object): { fields: Fields; base: Fields } {
  const a = flatten(before as Record<string, unknown>);
  const b = flatten(after as Record<string, unknown>);
  const fields: Fields = {};
  const base: Fields = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!sameValue(a[key], b[key])) {
      fields[key] = b[key] ?? null;
      base[key] = a[key] ?? null;
    }
  }
  return { fields, base };
}

/** Reads one field key (including "platforms.x") from a record. */
export function getField(record: object, key: string): unknown {
  const r = record as Record<string, unknown>;
  const platform = platformOfKey(key);
  if (platform !== undefined) {
    const platforms = r.platforms as Record<string, unknown> | undefined;
    return platforms?.[platform];
  }
  return r[key];
}

/** Returns a copy of record with the fields applied; null removes an optional field. */
export function applyFields<T extends object>(record: T, fields: Fields): T {
  const out: Record<string, unknown> = structuredClone(record) as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (IDENTITY_KEYS.has(key)) continue;
    const platform = platformOfKey(key);
    if (platform !== undefined) {
      const platforms = { ...((out.platforms as Record<string, unknown>) ?? {}) };
      platforms[platform] = value;
      out.platforms = platforms;
    } else if (value === null) delete out[key];
    else out[key] = value;
  }
  return out as T;
}
