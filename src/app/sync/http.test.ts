// The request body encoding, in the test setup's browser-like environment
// (jsdom; CompressionStream is the runtime's, as in a browser).
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { GZIP_MIN_BYTES, gzip, requestJson } from './http';

const ok = () => new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } });

function capture() {
  const calls: { headers: Headers; body: BodyInit | null | undefined }[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit = {}) => {
    calls.push({ headers: new Headers(init.headers), body: init.body });
    return ok();
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('request bodies', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('gzip() gives bytes that inflate to the same Vietnamese text', async () => {
    const text = JSON.stringify({ notes: 'Bà cụ nghe kém, cần nói to và chậm. '.repeat(200) });
    const bytes = await gzip(text);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(gunzipSync(bytes!).toString('utf8')).toBe(text);
    expect(bytes!.length).toBeLessThan(text.length / 10);
  });

  it('a body asked to be gzipped goes with Content-Encoding: gzip from GZIP_MIN_BYTES up', async () => {
    const { calls, fetchImpl } = capture();
    const body = { pad: 'ễ'.repeat(GZIP_MIN_BYTES) };
    const r = await requestJson(z.object({ ok: z.boolean() }), '/x', { method: 'POST', body, gzip: true }, { fetchImpl });
    expect(r.ok).toBe(true);
    expect(calls[0]!.headers.get('content-encoding')).toBe('gzip');
    expect(calls[0]!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(gunzipSync(calls[0]!.body as Uint8Array).toString('utf8'))).toEqual(body);
  });

  it.each([
    ['a small body', { a: 1 }, true],
    ['a body not asked to be gzipped', { pad: 'x'.repeat(5000) }, false],
  ])('%s goes as plain JSON', async (_, body, asked) => {
    const { calls, fetchImpl } = capture();
    await requestJson(z.object({ ok: z.boolean() }), '/x', { method: 'POST', body, gzip: asked }, { fetchImpl });
    expect(calls[0]!.headers.get('content-encoding')).toBeNull();
    expect(calls[0]!.body).toBe(JSON.stringify(body));
  });

  it('without CompressionStream the body goes as plain JSON', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    expect(await gzip('x'.repeat(5000))).toBeUndefined();
    const { calls, fetchImpl } = capture();
    const body = { pad: 'x'.repeat(5000) };
    await requestJson(z.object({ ok: z.boolean() }), '/x', { method: 'POST', body, gzip: true }, { fetchImpl });
    expect(calls[0]!.headers.get('content-encoding')).toBeNull();
    expect(calls[0]!.body).toBe(JSON.stringify(body));
  });
});
