// Sign-in and sign-out against the server.
import { z } from 'zod';
import { sessionResponseSchema } from '../../shared/protocol';
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
