// Per-field merge of one mutation into the server's copy of a record.
//
// The unit is a field key from src/shared/fields.ts: a top-level record key, or
// "platforms.<platform>" for a person's checklists. For each key the client sent:
//   - server value already equals the new value      -> nothing to do
//   - server value equals the client's base value    -> take the new value
//   - otherwise someone else changed it meanwhile     -> keep the server's value,
//     and report a conflict (stored as a row by push; nothing is dropped).
// A key missing from `base` means the client believed the field absent
// (undefined and null compare equal, as in sameValue), which is what a create
// implies. So a blind write over an existing value becomes a conflict, never a
// silent overwrite.
//
// Pure: no database, no clock. What a mutation may contain at all (known keys,
// valid values) is checked beside it, in mutation-checks.ts.
import { IDENTITY_KEYS, applyFields, getField, sameValue, type Fields } from '../shared/fields';

export interface FieldConflict {
  field: string;
  serverValue: unknown;
  clientValue: unknown;
  baseValue: unknown;
}

interface MergeResult {
  merged: Record<string, unknown>;
  taken: string[];
  conflicts: FieldConflict[];
}

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
