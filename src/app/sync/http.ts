// Every request the device makes to the server goes through here.
//
// A request either returns parsed, schema-checked JSON, or a failure value that
// says what went wrong in terms the sync engine can act on. Anything that is not
// the JSON we expect — a captive portal's "200 OK" login page, a proxy's HTML
// error, a truncated body — is a failure, never a success: acting on it could
// clear the outbox without the server having the records.
import type { z } from 'zod';
import { apiErrorSchema } from '../../shared/protocol';

const REQUEST_TIMEOUT_MS = 30_000;

export type HttpFailure =
  | { ok: false; kind: 'offline' } // no network at all, or the request never completed
  | { ok: false; kind: 'timeout' }
  | { ok: false; kind: 'unexpected'; status: number } // not our JSON (captive portal, proxy page)
  | { ok: false; kind: 'api'; status: number; code: string; message: string; body: Record<string, unknown> };

type HttpResult<T> = { ok: true; status: number; data: T; serverDate?: number | undefined } | HttpFailure;

export interface HttpOptions {
  baseUrl?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  /** Aborts the request from outside (the sync engine stopping on sign-out). */
  signal?: AbortSignal;
}

export async function requestJson<S extends z.ZodType>(
  schema: S,
  path: string,
  init: { method?: string; body?: unknown } = {},
  opts: HttpOptions = {},
): Promise<HttpResult<z.infer<S>>> {
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const abortFromOutside = () => controller.abort();
  opts.signal?.addEventListener('abort', abortFromOutside);
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(`${opts.baseUrl ?? ''}${path}`, {
      method: init.method ?? 'GET',
      headers: init.body !== undefined ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
      body: init.body !== undefined ? JSON.stringify(init.body) : null,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    text = await res.text();
  } catch {
    return controller.signal.aborted ? { ok: false, kind: 'timeout' } : { ok: false, kind: 'offline' };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', abortFromOutside);
  }

  const dateHeader = res.headers.get('date');
  const serverDate = dateHeader ? Date.parse(dateHeader) : undefined;
  const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
  let body: unknown;
  try {
    body = isJson ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (body === undefined) return { ok: false, kind: 'unexpected', status: res.status };

  if (!res.ok) {
    const err = apiErrorSchema.safeParse(body);
    if (!err.success) return { ok: false, kind: 'unexpected', status: res.status };
    return {
      ok: false,
      kind: 'api',
      status: res.status,
      code: err.data.error.code,
      message: err.data.error.message,
      body: body as Record<string, unknown>,
    };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, kind: 'unexpected', status: res.status };
  return { ok: true, status: res.status, data: parsed.data, serverDate: Number.isFinite(serverDate) ? serverDate : undefined };
}
