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
/**
 * Bodies from this many bytes up go gzipped (Content-Encoding: gzip) when the
 * caller asks for it and the browser has CompressionStream; smaller ones, or
 * without CompressionStream (old Safari), go as plain JSON, which every
 * server of protocol 1 reads. A push of 500 visits shrinks about 8×.
 */
export const GZIP_MIN_BYTES = 1024;

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
  init: { method?: string; body?: unknown; gzip?: boolean } = {},
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
    const json = init.body !== undefined ? JSON.stringify(init.body) : undefined;
    const zipped = json !== undefined && init.gzip && json.length >= GZIP_MIN_BYTES ? await gzip(json) : undefined;
    const send = (body: string | Uint8Array<ArrayBuffer> | undefined) =>
      fetchImpl(`${opts.baseUrl ?? ''}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(body instanceof Uint8Array ? { 'content-encoding': 'gzip' } : {}),
        },
        body: body ?? null,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: controller.signal,
      });
    res = await send(zipped ?? json);
    // A server (or a proxy in front of it) that does not take gzip bodies: say it plainly, once.
    if (zipped && res.status === 415) {
      await res.body?.cancel().catch(() => undefined);
      res = await send(json);
    }
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

/** `text` as gzip bytes, or undefined where the browser cannot compress (then the body goes plain). */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const Compression = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream;
  if (typeof Compression !== 'function') return undefined;
  try {
    const stream = new Compression('gzip');
    const writer = stream.writable.getWriter();
    // Not awaited: the writer waits for the reader below to drain it.
    writer.write(new TextEncoder().encode(text)).catch(() => undefined);
    writer.close().catch(() => undefined);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = stream.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } catch {
    return undefined;
  }
}
