// Sessions: a 256-bit random token in the gocua_session cookie; the database
// keeps only its SHA-256, so a leaked database cannot be replayed as cookies.
// Sessions slide: they expire after 30 days without use, and 90 days after
// sign-in however much they are used, so a stolen cookie does not live forever.
// Each sign-in deletes the rows of revoked and expired sessions (of everyone):
// a row that can never authenticate again is only a leaked token hash.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../shared/schemas';
import type { ServerContext } from './context';
import { forbidden, unauthenticated } from './errors';
import { toUser, type AuthUser } from './users';

export const SESSION_COOKIE = 'gocua_session';
const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 30 * DAY_MS;
export const SESSION_ABSOLUTE_MS = 90 * DAY_MS;
// last_used_at is rewritten at most this often, not on every request.
const TOUCH_EVERY_MS = 60 * 1000;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function setCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeMs: number) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    // request.protocol honours X-Forwarded-Proto only when TRUST_PROXY is set.
    secure: request.protocol === 'https',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** How long a session may still live if used now: until idle, capped by the absolute limit. */
function remainingMs(createdAt: string, now: Date): number {
  return Math.min(SESSION_IDLE_MS, Date.parse(createdAt) + SESSION_ABSOLUTE_MS - now.getTime());
}

/** The current request's session id (the token's SHA-256), if it carries one. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const token = request.cookies[SESSION_COOKIE];
  return token ? sha256(token) : undefined;
}

/** Deletes the rows of revoked sessions and of sessions past either limit. */
export async function pruneSessions(ctx: ServerContext): Promise<void> {
  const now = ctx.now().getTime();
  await ctx.db.kysely
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('revoked', '=', 1),
        eb('last_used_at', '<', new Date(now - SESSION_IDLE_MS).toISOString()),
        eb('created_at', '<', new Date(now - SESSION_ABSOLUTE_MS).toISOString()),
      ]),
    )
    .execute();
}

export async function startSession(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, userId: string) {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now().toISOString();
  await pruneSessions(ctx);
  await ctx.db.kysely
    .insertInto('sessions')
    .values({ token_sha256: sha256(token), user_id: userId, created_at: now, last_used_at: now, revoked: 0 })
    .execute();
  setCookie(request, reply, token, SESSION_IDLE_MS);
}

export async function endSession(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply) {
  const token = request.cookies[SESSION_COOKIE];
  if (token) {
    await ctx.db.kysely.updateTable('sessions').set({ revoked: 1 }).where('token_sha256', '=', sha256(token)).execute();
  }
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
}

/** The signed-in user, or throws 401 unauthenticated. */
export async function authenticate(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<AuthUser> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token || token.length > 100) throw unauthenticated();
  const hash = sha256(token);
  const row = await ctx.db.kysely
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.created_at as session_created_at', 'sessions.last_used_at', 'sessions.revoked'])
    .where('sessions.token_sha256', '=', hash)
    .executeTakeFirst();
  if (!row || row.revoked) throw unauthenticated();
  const now = ctx.now();
  const idle = now.getTime() - Date.parse(row.last_used_at);
  const left = remainingMs(row.session_created_at, now);
  if (idle > SESSION_IDLE_MS || left <= 0) throw unauthenticated('Your session expired; sign in again');
  const user = toUser(row);
  if (user.disabled) throw unauthenticated('This account is disabled');
  if (idle > TOUCH_EVERY_MS) {
    await ctx.db.kysely
      .updateTable('sessions')
      .set({ last_used_at: now.toISOString() })
      .where('token_sha256', '=', hash)
      .execute();
    setCookie(request, reply, token, left); // slide the cookie's Max-Age with the session
  }
  return user;
}

/**
 * The one role check. Returns a function a route calls first: it answers the
 * signed-in user when their role is one of `roles`, throws 401 unauthenticated
 * when nobody is signed in, and 403 forbidden with `message` otherwise.
 *
 *   const supervisor = requireRole(ctx, ['supervisor'], 'Reports are for supervisors');
 *   app.get(..., async (request, reply) => { const me = await supervisor(request, reply); ... });
 */
export function requireRole(ctx: ServerContext, roles: readonly Role[], message: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<AuthUser> => {
    const user = await authenticate(ctx, request, reply);
    if (!roles.includes(user.role)) throw forbidden(message);
    return user;
  };
}
