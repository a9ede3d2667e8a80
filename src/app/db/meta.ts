// Small key-value settings kept per user, and form drafts.
// Drafts live in IndexedDB, not React state, so a reload, a crash or an app
// update never loses a half-filled visit form.
import type { GoCuaDB } from './database';

export const META_KEYS = {
  clientId: 'clientId',
  literacyPoint: 'literacyPoint',
  lastGroup: 'lastGroup',
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
