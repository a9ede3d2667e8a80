// The device-level database: who is signed in on this phone. It holds user
// profiles (never a session token — that lives only in an HttpOnly cookie), so
// the app can open offline for the last signed-in volunteer.
//
// DO NOT CHANGE THE STORES WITHOUT A NEW VERSION AND MIGRATION.
import Dexie, { type Table } from 'dexie';
import type { UserProfile } from '../../shared/schemas';
import { DEVICE_DB_NAME, looksLikeProfile } from './deviceProfile';

/** The stores' format: bump it, with a migration, for any change to them. */
const DEVICE_DB_VERSION = 1;

class DeviceDB extends Dexie {
  profiles!: Table<UserProfile, string>;
  meta!: Table<{ key: string; value: unknown }, string>;
  constructor() {
    super(DEVICE_DB_NAME);
    this.version(DEVICE_DB_VERSION).stores({ profiles: 'id', meta: 'key' });
  }
}

let device: DeviceDB | undefined;
const db = () => (device ??= new DeviceDB());

/** The signed-in profile (the first screen reads it without Dexie: deviceProfile.ts). */
export async function currentProfile(): Promise<UserProfile | undefined> {
  const id = (await db().meta.get('currentUserId'))?.value as string | undefined;
  if (!id) return undefined;
  const p: unknown = await db().profiles.get(id);
  return looksLikeProfile(p) ? p : undefined;
}

/** The full check of a stored profile against the shared schema (loads zod). */
export async function validStoredProfile(profile: UserProfile): Promise<boolean> {
  const { userProfileSchema } = await import('../../shared/schemas');
  return userProfileSchema.safeParse(profile).success;
}

export async function rememberProfile(profile: UserProfile): Promise<void> {
  await db().transaction('rw', db().profiles, db().meta, async () => {
    await db().profiles.put(profile);
    await db().meta.put({ key: 'currentUserId', value: profile.id });
  });
}

export async function forgetCurrentUser(): Promise<void> {
  await db().meta.delete('currentUserId');
}
