import { describe, expect, it } from 'vitest';
import { DEVICE_DB_NAME, readCurrentProfile } from './deviceProfile';
import { currentProfile, forgetCurrentUser, rememberProfile } from './deviceDb';
import type { UserProfile } from '../../shared/schemas';

const profile = (overrides: Partial<UserProfile> = {}): UserProfile => ({
  id: 'u-1',
  username: 'lan',
  displayName: 'Lan',
  role: 'volunteer',
  wardCode: 'cua-nam',
  groups: ['TDP-01'],
  ...overrides,
});

const databaseNames = async () => (await indexedDB.databases()).map((d) => d.name);

describe('reading the signed-in profile without Dexie', () => {
  it('finds nobody on a device where nobody has signed in, and creates no database', async () => {
    expect(await databaseNames()).not.toContain(DEVICE_DB_NAME);
    expect(await readCurrentProfile()).toBeUndefined();
    expect(await databaseNames()).not.toContain(DEVICE_DB_NAME);
  });

  it('reads the profile Dexie stored, and nobody after sign-out', async () => {
    await rememberProfile(profile());
    expect(await readCurrentProfile()).toEqual(profile());
    await forgetCurrentUser();
    expect(await readCurrentProfile()).toBeUndefined();
    // Dexie still opens and writes after the bare reads (they closed their connection).
    await rememberProfile(profile({ id: 'u-2', username: 'minh' }));
    expect((await readCurrentProfile())?.id).toBe('u-2');
    expect((await currentProfile())?.id).toBe('u-2');
  });

  it('refuses a stored profile of the wrong shape', async () => {
    await rememberProfile({ ...profile({ id: 'u-3' }), groups: 'TDP-01' } as unknown as UserProfile);
    expect(await readCurrentProfile()).toBeUndefined();
  });
});
