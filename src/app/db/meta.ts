// Small key-value settings kept per user, and form drafts.
// Drafts live in IndexedDB, not React state, so a reload, a crash or an app
// update never loses a half-filled visit form.
import type { Ward } from '../../shared/wardSchema';
import type { GoCuaDB } from './database';

export const META_KEYS = {
  clientId: 'clientId',
  literacyPoint: 'literacyPoint',
  lastGroup: 'lastGroup',
  /** The user's ward and its groups as GET /api/v1/wards/:code last answered (a Ward, shared/wards.ts). */
  ward: 'ward',
} as const;

export async function getMeta<T>(db: GoCuaDB, key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined;
}

export async function setMeta(db: GoCuaDB, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}

const draftKey = (form: string) => `draft:${form}`;

export async function saveDraft<T>(db: GoCuaDB, form: string, value: T): Promise<void> {
  await db.meta.put({ key: draftKey(form), value: { savedAt: new Date().toISOString(), value } });
}

export async function loadDraft<T>(db: GoCuaDB, form: string): Promise<T | undefined> {
  const row = (await db.meta.get(draftKey(form)))?.value as { value: T } | undefined;
  return row?.value;
}

export async function clearDraft(db: GoCuaDB, form: string): Promise<void> {
  await db.meta.delete(draftKey(form));
}

/** Keeps the ward's list of groups on the device, for pickers that work offline. */
export async function saveWard(db: GoCuaDB, ward: Ward): Promise<void> {
  await db.meta.put({ key: META_KEYS.ward, value: ward });
}

/**
 * The ward stored by saveWard (validated by sync/wards.ts before it was
 * stored), or undefined: never fetched, or in a shape this app does not know.
 * Checked by hand: the data layer parses nothing it did not write itself.
 */
export async function loadWard(db: GoCuaDB): Promise<Ward | undefined> {
  const value = (await db.meta.get(META_KEYS.ward))?.value as Partial<Ward> | undefined;
  const ok = typeof value?.code === 'string' && Array.isArray(value.groups) && value.groups.every((g) => typeof g?.code === 'string' && typeof g.name === 'string');
  return ok ? (value as Ward) : undefined;
}
