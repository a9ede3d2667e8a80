// Sessions: a 256-bit random token in the gocua_session cookie; the database
// keeps only its SHA-256, so a leaked database cannot be replayed as cookies.
// Sessions slide: they expire after 30 days without use.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context';
import { unauthenticated } from './errors';
import { toUser, type AuthUser } from './users';

export const SESSION_COOKIE = 'gocua_session';
export const SESSION_IDLE_MS = 30 * 24 * 60 * 60 * 1000;
// last_used_at is rewritten at most this often, not on every request.
const TOUCH_EVERY_MS = 60 * 1000;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function setCookie(request: FastifyRequest, reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    // request.protocol honours X-Forwarded-Proto only when TRUST_PROXY is set.
    secure: request.protocol === 'https',
    maxAge: SESSION_IDLE_MS / 1000,
  });
}

/** The current request's session id (the token's SHA-256), if it carries one. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const token = request.cookies[SESSION_COOKIE];
  return token ? sha256(token) : undefined;
}

export async function startSession(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, userId: string) {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now().toISOString();
  await ctx.db.kysely
    .insertInto('sessions')
    .values({ token_sha256: sha256(token), user_id: userId, created_at: now, last_used_at: now, revoked: 0 })
    .execute();
  setCookie(request, reply, token);
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
    .select(['sessions.last_used_at', 'sessions.revoked'])
    .where('sessions.token_sha256', '=', hash)
    .executeTakeFirst();
  if (!row || row.revoked) throw unauthenticated();
  const now = ctx.now();
  const idle = now.getTime() - Date.parse(row.last_used_at);
  if (idle > SESSION_IDLE_MS) throw unauthenticated('Your session expired; sign in again');
  const user = toUser(row);
  if (user.disabled) throw unauthenticated('This account is disabled');
  if (idle > TOUCH_EVERY_MS) {
    await ctx.db.kysely
      .updateTable('sessions')
      .set({ last_used_at: now.toISOString() })
      .where('token_sha256', '=', hash)
      .execute();
    setCookie(request, reply, token); // slide the cookie's Max-Age with the session
  }
  return user;
}
