// Sign-in and sign-out against the server.
import { z } from 'zod';
import { sessionResponseSchema } from '../../shared/protocol';
import type { SetupRequest } from '../../shared/wards';
import { requestJson, type HttpOptions } from '../sync/http';

export type SignInError = 'invalid_credentials' | 'too_many_attempts' | 'offline' | 'server';

export async function signInRequest(username: string, password: string, http: HttpOptions = {}) {
  const res = await requestJson(sessionResponseSchema, '/api/v1/session', { method: 'POST', body: { username, password } }, http);
  if (res.ok) return { ok: true as const, user: res.data.user };
  if (res.kind === 'api' && (res.code === 'invalid_credentials' || res.code === 'too_many_attempts'))
    return { ok: false as const, error: res.code as SignInError };
  if (res.kind === 'offline' || res.kind === 'timeout') return { ok: false as const, error: 'offline' as SignInError };
  return { ok: false as const, error: 'server' as SignInError };
}

export async function checkSession(http: HttpOptions = {}) {
  const res = await requestJson(sessionResponseSchema, '/api/v1/session', {}, http);
  if (res.ok) return { state: 'valid' as const, user: res.data.user };
  if (res.kind === 'api' && res.status === 401) return { state: 'expired' as const };
  return { state: 'unknown' as const };
}

export async function signOutRequest(http: HttpOptions = {}) {
  await requestJson(z.unknown(), '/api/v1/session', { method: 'DELETE' }, http);
}

export type SetupError = 'setup_done' | 'invalid_link' | 'weak_password' | 'invalid' | 'offline' | 'server';

/** POST /api/v1/setup: the first city user and ward; the server answers with the user and the session cookie. */
export async function setupRequest(body: SetupRequest, http: HttpOptions = {}) {
  const res = await requestJson(sessionResponseSchema, '/api/v1/setup', { method: 'POST', body }, http);
  if (res.ok) return { ok: true as const, user: res.data.user };
  const fail = (error: SetupError, issues: string[] = []) => ({ ok: false as const, error, issues });
  if (res.kind === 'offline' || res.kind === 'timeout') return fail('offline');
  if (res.kind !== 'api') return fail('server');
  if (res.code === 'setup_done') return fail('setup_done');
  if (res.code === 'forbidden') return fail('invalid_link');
  if (res.code === 'weak_password') return fail('weak_password');
  if (res.code === 'invalid_request') {
    const issues = Array.isArray(res.body.error) ? [] : ((res.body.error as { issues?: { path: string; message: string }[] }).issues ?? []);
    return fail('invalid', issues.map((i) => i.path));
  }
  return fail('server');
}
