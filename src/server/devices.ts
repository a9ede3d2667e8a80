// Devices: one row per clientId (one user's database on one phone), holding
// what the device last reported (app version, records waiting in its outbox,
// persistent storage) and when it last pushed and pulled; and revocation.
//
// Invariants:
//   1. A device belongs to the user who first reported it, like a clients row
//      (push.ts): another user naming that clientId gets 403 forbidden.
//   2. A revoked device's pushes and pulls answer 403 device_revoked and change
//      nothing. The push check runs inside the push transaction after the
//      clients row is locked, and revoke() takes that same lock first, so a
//      push either commits before the revoke or is refused: none lands after.
//   3. Reports are optional (protocol 1 devices from before them send
//      nothing): a push or pull without one still updates its time.
//   4. Nothing here is personal beyond the user id the row belongs to.
import type { Kysely } from 'kysely';
import type { Device, DeviceReport } from '../shared/enrolment';
import type { ServerContext } from './context';
import type { DB, DevicesTable } from './db';
import { ApiError, forbidden, notFound } from './errors';
import type { AuthUser } from './users';

function revoked(): ApiError {
  return new ApiError(403, 'device_revoked', 'A supervisor revoked this device; ask them for help');
}

/**
 * Records a push or pull of `clientId` by `user` with its report, or throws
 * 403 device_revoked / forbidden (another user's device). Runs in `trx`.
 */
export async function noteDevice(
  trx: Kysely<DB>,
  clientId: string,
  user: AuthUser,
  kind: 'push' | 'pull',
  report: DeviceReport | undefined,
  now: string,
): Promise<void> {
  const at = kind === 'push' ? { last_push_at: now } : { last_pull_at: now };
  const reported: Partial<DevicesTable> = report
    ? { app_version: report.appVersion, pending: report.pending, storage_persisted: report.storagePersisted ? 1 : 0 }
    : {};
  // One statement: insert, or update with the report, and read back the owner
  // and revocation. A refusal below throws, and the transaction rolls the
  // update back, so a refused push or pull changes nothing.
  const row = await trx
    .insertInto('devices')
    .values({
      client_id: clientId,
      user_id: user.id,
      app_version: null,
      last_push_at: null,
      last_pull_at: null,
      pending: null,
      storage_persisted: null,
      created_at: now,
      revoked_at: null,
      revoked_by: null,
      ...reported,
      ...at,
    })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ ...reported, ...at }))
    .returning(['user_id', 'revoked_at'])
    .executeTakeFirstOrThrow();
  if (row.user_id !== user.id) throw forbidden('This clientId belongs to another user');
  if (row.revoked_at !== null) throw revoked();
}

/** A pull's note: its own small write transaction (a pull itself writes nothing). */
export async function noteDevicePull(ctx: ServerContext, clientId: string, user: AuthUser, report: DeviceReport | undefined): Promise<void> {
  await ctx.db.writeTx((trx) => noteDevice(trx, clientId, user, 'pull', report, ctx.now().toISOString()));
}

/** The devices of `wardCode` (every ward when undefined), with their users' names. */
export async function listDevices(ctx: ServerContext, wardCode: string | undefined): Promise<(Device & { wardCode: string })[]> {
  let q = ctx.db.kysely
    .selectFrom('devices')
    .innerJoin('users', 'users.id', 'devices.user_id')
    .selectAll('devices')
    .select(['users.display_name', 'users.ward_code'])
    .orderBy('users.ward_code')
    .orderBy('users.display_name')
    .orderBy('devices.client_id');
  if (wardCode !== undefined) q = q.where('users.ward_code', '=', wardCode);
  const rows = await q.execute();
  return rows.map((r) => ({
    clientId: r.client_id,
    userId: r.user_id,
    displayName: r.display_name,
    wardCode: r.ward_code,
    appVersion: r.app_version,
    lastPushAt: r.last_push_at,
    lastPullAt: r.last_pull_at,
    pending: r.pending === null ? null : Number(r.pending),
    storagePersisted: r.storage_persisted === null ? null : Boolean(r.storage_persisted),
    revokedAt: r.revoked_at,
  }));
}

/**
 * Revokes a device of `me`'s ward (404 for an unknown clientId or another
 * ward's, alike). Idempotent: revoking again keeps the first time.
 */
export async function revokeDevice(ctx: ServerContext, me: AuthUser, clientId: string): Promise<{ revokedAt: string }> {
  return ctx.db.writeTx(async (trx) => {
    // invariant 2: the push's lock first, so no push of this device is half-way.
    let client = trx.selectFrom('clients').select('client_id').where('client_id', '=', clientId);
    if (ctx.db.dialect === 'postgres') client = client.forUpdate();
    await client.executeTakeFirst();
    let q = trx
      .selectFrom('devices')
      .innerJoin('users', 'users.id', 'devices.user_id')
      .select(['devices.revoked_at', 'users.ward_code'])
      .where('devices.client_id', '=', clientId);
    if (ctx.db.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || row.ward_code !== me.wardCode) throw notFound('No such device in your ward');
    if (row.revoked_at !== null) return { revokedAt: row.revoked_at };
    const revokedAt = ctx.now().toISOString();
    await trx.updateTable('devices').set({ revoked_at: revokedAt, revoked_by: me.id }).where('client_id', '=', clientId).execute();
    return { revokedAt };
  });
}
