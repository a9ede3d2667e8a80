// Enrolment by QR: a supervisor creates a one-time token; whoever scans it
// picks a username and password and is signed in.
//
// Invariants:
//   1. Only the token's SHA-256 is stored (like session tokens): a leaked
//      database cannot be turned into accounts.
//   2. A token is redeemed at most once. The redeem's write transaction locks
//      the enrolment row (BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE on
//      PostgreSQL), checks it again, creates the account and marks the row
//      used, all or nothing: of two concurrent redeems exactly one wins, the
//      other gets 410 enrolment_used. The slow password hash runs before the
//      transaction, so the lock is held for milliseconds.
//   3. A token lives ENROLMENT_TTL_MS (24 h) from creation, by the server's
//      clock (ctx.now, which tests move).
//   4. Redeeming and peeking are throttled like sign-in (throttle.ts), keyed
//      by the token and the address. Only a token the server does not know
//      counts as a failure: a used or expired one is not a guess, and a weak
//      password chosen at a literacy point must not lock out the point's Wi-Fi.
//   5. A re-enrolment (user_id set) resets that account's password, keeps its
//      id, username, role and groups, and ends its other sessions. A newer
//      re-enrolment for the same account cancels the older pending ones.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import {
  ENROLMENT_TTL_MS,
  type CreateEnrolment,
  type CreatedEnrolment,
  type EnrollableRole,
  type EnrolmentPreview,
  type PendingEnrolment,
  type RedeemEnrolment,
} from '../shared/enrolment';
import { uuidv7 } from '../shared/ids';
import type { ServerContext } from './context';
import type { DB, EnrolmentsTable, UsersTable } from './db';
import { ApiError, notFound } from './errors';
import { assertStrongPassword } from './password-policy';
import { sha256 } from './sessions';
import { bookAttempt, cancelAttempt } from './throttle';
import { findUserById, findUserByUsername, toUser, usernameSchema, type AuthUser } from './users';
import { unknownGroups } from './wards';

export interface EnrolmentOptions {
  /** PUBLIC_URL: the origin the QR link points at. Without it, the request's own (Host header, X-Forwarded-* behind a trusted proxy). */
  publicUrl?: string | undefined;
}

/** `<origin>/#/enrol/<token>`: what the QR code holds. */
export function enrolmentUrl(request: FastifyRequest, token: string, publicUrl?: string): string {
  const origin = publicUrl ? publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
  return `${origin}/#/enrol/${token}`;
}

function pending(row: EnrolmentsTable): PendingEnrolment {
  return {
    id: row.id,
    role: row.role as EnrollableRole,
    groups: JSON.parse(row.groups) as string[],
    displayName: row.display_name,
    userId: row.user_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

async function insertEnrolment(
  ctx: ServerContext,
  me: AuthUser,
  values: { role: string; groups: string[]; displayName: string; userId: string | null },
  url: (token: string) => string,
): Promise<CreatedEnrolment> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const row: EnrolmentsTable = {
    id: uuidv7(now.getTime()),
    ward_code: me.wardCode,
    role: values.role,
    groups: JSON.stringify([...new Set(values.groups)]),
    display_name: values.displayName,
    user_id: values.userId,
    token_sha256: sha256(token),
    created_by: me.id,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ENROLMENT_TTL_MS).toISOString(),
    used_at: null,
    used_by: null,
    cancelled_at: null,
  };
  await ctx.db.writeTx(async (trx) => {
    if (values.userId !== null) {
      // invariant 5: one live reset link per account
      await trx
        .updateTable('enrolments')
        .set({ cancelled_at: row.created_at })
        .where('user_id', '=', values.userId)
        .where('used_at', 'is', null)
        .where('cancelled_at', 'is', null)
        .execute();
    }
    await trx.insertInto('enrolments').values(row).execute();
  });
  return { id: row.id, token, url: url(token), expiresAt: row.expires_at };
}

export async function createEnrolment(ctx: ServerContext, me: AuthUser, body: CreateEnrolment, url: (token: string) => string) {
  // Groups are data (wards.ts): a link may only name groups of the ward, as POST /users.
  const unknown = await unknownGroups(ctx.db, me.wardCode, body.groups.map((g) => g.trim()));
  if (unknown.length > 0) throw new ApiError(400, 'unknown_group', `Not residential groups of ward ${me.wardCode}: ${unknown.join(', ')}`, { groups: unknown });
  return insertEnrolment(ctx, me, { role: body.role, groups: body.groups, displayName: body.displayName, userId: null }, url);
}

/** A new password for an existing account (the caller checked it is theirs to manage). */
export async function createReEnrolment(ctx: ServerContext, me: AuthUser, target: UsersTable, url: (token: string) => string) {
  if (target.disabled) throw new ApiError(409, 'conflict', 'This account is disabled; enable it before issuing a new enrolment');
  const groups = JSON.parse(target.groups) as string[];
  return insertEnrolment(ctx, me, { role: target.role, groups, displayName: target.display_name, userId: target.id }, url);
}

/** The ward's enrolments that can still be redeemed, newest first. */
export async function listPending(ctx: ServerContext, wardCode: string): Promise<PendingEnrolment[]> {
  const rows = await ctx.db.kysely
    .selectFrom('enrolments')
    .selectAll()
    .where('ward_code', '=', wardCode)
    .where('expires_at', '>', ctx.now().toISOString())
    .where('used_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.map(pending);
}

/** Cancels one of the ward's enrolments. 404 for another ward's id; 410 enrolment_used once redeemed; idempotent otherwise. */
export async function cancelEnrolment(ctx: ServerContext, me: AuthUser, id: string): Promise<void> {
  await ctx.db.writeTx(async (trx) => {
    let q = trx.selectFrom('enrolments').selectAll().where('id', '=', id).where('ward_code', '=', me.wardCode);
    if (ctx.db.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('No such enrolment in your ward');
    if (row.used_at !== null) throw new ApiError(410, 'enrolment_used', 'This enrolment was already used');
    if (row.cancelled_at === null) await trx.updateTable('enrolments').set({ cancelled_at: ctx.now().toISOString() }).where('id', '=', id).execute();
  });
}

/** 410 with the reason the row can no longer be redeemed, or nothing. */
function assertRedeemable(row: EnrolmentsTable, now: Date): void {
  if (row.used_at !== null) throw new ApiError(410, 'enrolment_used', 'This enrolment link was already used; ask your supervisor for a new one');
  if (row.cancelled_at !== null) throw new ApiError(410, 'enrolment_cancelled', 'This enrolment link was cancelled; ask your supervisor for a new one');
  if (Date.parse(row.expires_at) <= now.getTime()) {
    throw new ApiError(410, 'enrolment_expired', 'This enrolment link has expired; ask your supervisor for a new one');
  }
}

/**
 * The enrolment row of `token`, with the throttle booked first (invariant 4).
 * Throws 429 too_many_attempts, 404 not_found (counted), or 410.
 */
async function lookUp(ctx: ServerContext, token: string, ip: string): Promise<EnrolmentsTable> {
  const hash = sha256(token);
  const attempt = await bookAttempt(ctx, `enrolment:${hash}`, ip);
  let row: EnrolmentsTable | undefined;
  try {
    row = await ctx.db.kysely.selectFrom('enrolments').selectAll().where('token_sha256', '=', hash).executeTakeFirst();
  } catch (error) {
    await cancelAttempt(ctx, attempt);
    throw error;
  }
  if (!row) throw notFound('This enrolment link is not valid; check that the whole link was copied');
  await cancelAttempt(ctx, attempt);
  assertRedeemable(row, ctx.now());
  return row;
}

export async function peekEnrolment(ctx: ServerContext, token: string, ip: string): Promise<EnrolmentPreview> {
  const row = await lookUp(ctx, token, ip);
  const preview: EnrolmentPreview = { kind: row.user_id ? 'reset' : 'new', role: row.role as EnrollableRole, displayName: row.display_name, expiresAt: row.expires_at };
  if (row.user_id) {
    const user = await findUserById(ctx.db, row.user_id);
    if (user) preview.username = user.username;
  }
  return preview;
}

async function lockEnrolment(trx: Kysely<DB>, ctx: ServerContext, id: string): Promise<EnrolmentsTable> {
  let q = trx.selectFrom('enrolments').selectAll().where('id', '=', id);
  if (ctx.db.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirstOrThrow();
}

/** Redeems `body.token`: creates (or resets) the account and returns it. The caller starts the session. */
export async function redeemEnrolment(ctx: ServerContext, body: RedeemEnrolment, ip: string): Promise<AuthUser> {
  const row = await lookUp(ctx, body.token, ip);
  const existing = row.user_id ? await findUserById(ctx.db, row.user_id) : undefined;
  if (row.user_id && (!existing || existing.disabled)) throw new ApiError(403, 'forbidden', 'This account is disabled; ask your supervisor');

  let username: string;
  if (existing) {
    if (body.username !== undefined && body.username.trim().toLowerCase() !== existing.username) {
      throw new ApiError(400, 'invalid_request', 'A new password keeps the account’s username', {
        issues: [{ path: 'username', message: `This link is for the account "${existing.username}"` }],
      });
    }
    username = existing.username;
  } else {
    const parsed = usernameSchema.safeParse(body.username ?? '');
    if (!parsed.success) {
      throw new ApiError(400, 'invalid_request', 'Choose a username', {
        issues: [{ path: 'username', message: parsed.error.issues[0]?.message ?? 'username' }],
      });
    }
    username = parsed.data;
    // Early and cheap; the insert below is what actually decides.
    if (await findUserByUsername(ctx.db, username)) throw new ApiError(409, 'conflict', 'That username is taken');
  }
  await assertStrongPassword(body.password, [username, row.display_name]);
  const passwordHash = await ctx.passwords.hash(body.password);

  return ctx.db.writeTx(async (trx) => {
    const now = ctx.now();
    const locked = await lockEnrolment(trx, ctx, row.id); // invariant 2
    assertRedeemable(locked, now);
    let user: UsersTable;
    if (existing) {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', existing.id).execute();
      await trx.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', existing.id).where('revoked', '=', 0).execute();
      user = { ...existing, password_hash: passwordHash };
    } else {
      user = {
        id: uuidv7(now.getTime()),
        username,
        display_name: locked.display_name,
        role: locked.role,
        ward_code: locked.ward_code,
        groups: locked.groups,
        password_hash: passwordHash,
        disabled: 0,
        created_at: now.toISOString(),
      };
      const inserted = await trx
        .insertInto('users')
        .values(user)
        .onConflict((oc) => oc.column('username').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) throw new ApiError(409, 'conflict', 'That username is taken');
    }
    await trx
      .updateTable('enrolments')
      .set({ used_at: now.toISOString(), used_by: user.id })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .execute();
    return toUser(user);
  });
}
