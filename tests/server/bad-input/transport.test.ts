// @vitest-environment node
// Bad input before any route reads it: bodies that are not JSON, JSON that is
// not an object, bodies too deep or too large, broken URLs, unknown routes and
// junk around the health check. Each is refused with the documented error and
// changes nothing, on SQLite and (when available) PostgreSQL.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeBadInput, describeRefusals, named, nested, refusal, refuse, snapshot, type RequestOptions, type Refusal, type World } from './helpers';

/** Every endpoint that reads a JSON body, with the cookie of someone allowed to call it. */
const JSON_ENDPOINTS: { name: string; method: string; url: (w: World) => string; cookie: (w: World) => string | undefined }[] = [
  { name: 'POST /api/v1/session', method: 'POST', url: () => '/api/v1/session', cookie: () => undefined },
  { name: 'POST /api/v1/sync/push', method: 'POST', url: () => '/api/v1/sync/push', cookie: (w) => w.volCookie },
  { name: 'POST /api/v1/users', method: 'POST', url: () => '/api/v1/users', cookie: (w) => w.supCookie },
  { name: 'PATCH /api/v1/users/:id', method: 'PATCH', url: (w) => `/api/v1/users/${w.target.id}`, cookie: (w) => w.supCookie },
];

/** Each body on each JSON endpoint, refused with the same status and code. */
function onEveryJsonEndpoint(bodies: { name: string; opts: RequestOptions }[], status: number, code: string): Refusal[] {
  return JSON_ENDPOINTS.flatMap((e) =>
    bodies.map((b) => refusal(`${e.name} ${b.name}`, status, code, e.method, e.url, (w) => ({ ...b.opts, cookie: e.cookie(w) }))),
  );
}

const MALFORMED = ['{', '{"username": ', '[1,]', "{'a':1}", 'undefined', 'NaN', '{"a":1}{"b":2}', '{"a":01}', '\u0000', '{"a":"\\x41"}'];
const NOT_JSON_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/json-patch+json',
  'text/json',
];
const NOT_JSON = onEveryJsonEndpoint(
  [
    ...MALFORMED.map((raw) => ({ name: JSON.stringify(raw), opts: { rawBody: raw } })),
    { name: 'empty', opts: { rawBody: '' } },
    ...NOT_JSON_CONTENT_TYPES.map((ct) => ({
      name: ct,
      opts: { rawBody: '{"username":"a","password":"b"}', headers: { 'content-type': ct } },
    })),
  ],
  400,
  'invalid_json',
);

// Prototype pollution keys, top level and nested.
const POLLUTING = onEveryJsonEndpoint(
  ['{"__proto__":{"isAdmin":true}}', '{"a":{"b":[{"__proto__":{"isAdmin":true}}]}}', '{"constructor":{"prototype":{"isAdmin":true}}}'].map((raw) => ({
    name: raw,
    opts: { rawBody: raw },
  })),
  400,
  'invalid_json',
);

const NOT_AN_OBJECT = onEveryJsonEndpoint(
  (
    [
      ['null', null],
      ['[]', []],
      ['[{}]', [{}]],
      ['"a string"', 'a string'],
      ['42', 42],
      ['-0.5', -0.5],
      ['true', true],
      ['{ constructor: 1 }', { constructor: 1 }],
      ['{ toString, valueOf }', { toString: 'x', valueOf: 1 }],
      ['33 nested arrays', nested(33)],
      ['{ a: 100 nested arrays }', { a: nested(100) }],
    ] as [string, unknown][]
  ).map(([name, body]) => ({ name, opts: { body } })),
  400,
  'invalid_request',
);

// 100,000 nested arrays fit in 1 MiB; walking them recursively used to be a 500.
const DEEP = onEveryJsonEndpoint([{ name: '100,000 nested arrays', opts: { rawBody: '['.repeat(100_000) + ']'.repeat(100_000) } }], 400, 'invalid_request');

const HUGE = 'x'.repeat(900_000);
const TOO_LARGE: Refusal[] = [
  refusal('sign-in with a 900 KB username', 400, 'invalid_request', 'POST', '/api/v1/session', { body: { username: HUGE, password: 'whatever1' } }),
  refusal('sign-in with a 900 KB password', 400, 'invalid_request', 'POST', '/api/v1/session', (w) => ({ body: { username: w.sup.username, password: HUGE } })),
  refusal('a new user with a 900 KB displayName', 400, 'invalid_request', 'POST', '/api/v1/users', (w) => ({
    cookie: w.supCookie,
    body: { username: 'huge', password: 'password1', displayName: HUGE, role: 'volunteer', groups: [] },
  })),
  refusal('a push with a 900 KB clientId', 400, 'invalid_request', 'POST', '/api/v1/sync/push', (w) => ({
    cookie: w.volCookie,
    body: { protocol: 1, clientId: HUGE, mutations: [] },
  })),
  // Over the 1 MiB limit, before anything else.
  refusal('a push over 1 MiB', 413, 'payload_too_large', 'POST', '/api/v1/sync/push', (w) => ({
    cookie: w.volCookie,
    rawBody: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
  })),
];

// Compressed bodies (request-encoding.ts). The limit counts inflated bytes.
const gz = (text: string | Buffer) => gzipSync(typeof text === 'string' ? Buffer.from(text) : text);
const GZIPPED_PUSH = '{"protocol":1,"clientId":"client-gzip-refused","mutations":[]}';
const GZIP_HEADER = { 'content-encoding': 'gzip' };
const BAD_GZIP = onEveryJsonEndpoint(
  [
    { name: 'plain JSON labelled gzip', opts: { rawBody: GZIPPED_PUSH, headers: GZIP_HEADER } },
    { name: 'gzip cut in half', opts: { rawBody: gz(GZIPPED_PUSH).subarray(0, 20), headers: GZIP_HEADER } },
    { name: 'gzip without its trailer', opts: { rawBody: gz(GZIPPED_PUSH).subarray(0, -4), headers: GZIP_HEADER } },
    { name: 'gzip with a flipped byte', opts: { rawBody: flip(gz(GZIPPED_PUSH), 14), headers: GZIP_HEADER } },
    { name: 'a gzip header and random bytes', opts: { rawBody: Buffer.concat([gz('').subarray(0, 10), randomBytes(200)]), headers: GZIP_HEADER } },
  ],
  400,
  'invalid_encoding',
);
function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = c[at]! ^ 0xff;
  return c;
}
const GZIPPED_NOT_JSON = onEveryJsonEndpoint(
  ['{', '[1,]', '{"__proto__":{"isAdmin":true}}', ''].map((raw) => ({ name: `gzip of ${JSON.stringify(raw)}`, opts: { rawBody: gz(raw), headers: GZIP_HEADER } })),
  400,
  'invalid_json',
);
// 64 MiB of zeros inflate from 64 KB of gzip; 1 MiB + 1 byte of JSON ({"pad":"…"} is 10 bytes around the pad) from a few KB.
// A bomb built cheaply: gzip members concatenated inflate one after the other,
// so n copies of a 1 KB gzip of 1 MiB of zeros inflate to n MiB.
const MIB_OF_ZEROS = gz(Buffer.alloc(2 ** 20));
const bomb = (mib: number) => Buffer.concat(Array.from({ length: mib }, () => MIB_OF_ZEROS));
const BOMB = bomb(64);
const ZIP_BOMBS = onEveryJsonEndpoint(
  [
    { name: 'a 64 KB gzip of 64 MiB (64 members)', opts: { rawBody: BOMB, headers: GZIP_HEADER } },
    { name: 'gzip of a JSON body 1 byte over 1 MiB', opts: { rawBody: gz(JSON.stringify({ pad: 'x'.repeat(2 ** 20 - 10 + 1) })), headers: GZIP_HEADER } },
    { name: 'gzip itself over 1 MiB', opts: { rawBody: gz(randomBytes(1_100_000)), headers: GZIP_HEADER } },
  ],
  413,
  'payload_too_large',
);
const OTHER_CODINGS = onEveryJsonEndpoint(
  ['br', 'deflate', 'zstd', 'compress', 'gzip, gzip', 'gzip, br', 'chunked', 'bogus'].map((coding) => ({
    name: `Content-Encoding: ${coding}`,
    opts: { rawBody: gz(GZIPPED_PUSH), headers: { 'content-encoding': coding } },
  })),
  415,
  'unsupported_encoding',
);

const BROKEN_URLS = ['/api/v1/users/%zz', '/api/v1/users/%E0%A4%A/revoke', '/api/v1/%', '/api/v1/sync/pu%l'].map((url) =>
  refusal(`GET ${url}`, 400, 'invalid_request', 'GET', url, (w) => ({ cookie: w.supCookie })),
);

const BAD_ROUTES: Refusal[] = [
  refusal('PATCH a 101-character user id', 400, 'invalid_request', 'PATCH', `/api/v1/users/${'a'.repeat(101)}`, (w) => ({ cookie: w.supCookie, body: { disabled: true } })),
  refusal('PATCH a 65-character user id', 400, 'invalid_request', 'PATCH', `/api/v1/users/${'a'.repeat(65)}`, (w) => ({ cookie: w.supCookie, body: { disabled: true } })),
  refusal('PUT /api/v1/session', 404, 'not_found', 'PUT', '/api/v1/session', { body: {} }),
  refusal('POST /api/v1/health', 404, 'not_found', 'POST', '/api/v1/health', { body: {} }),
  refusal('DELETE /api/v1/users', 404, 'not_found', 'DELETE', '/api/v1/users', (w) => ({ cookie: w.supCookie })),
];

describeBadInput('transport', (w, dialect) => {
  describeRefusals('malformed JSON, empty bodies and wrong content types are 400 invalid_json on every JSON endpoint', w, NOT_JSON);

  describe('prototype-pollution keys are 400 invalid_json and pollute nothing', () => {
    it.each(named(POLLUTING))('%s', async (_, row) => {
      await refuse(w, row);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });
  });

  describeRefusals('non-object JSON, deep nesting and huge strings are 400 invalid_request', w, [...NOT_AN_OBJECT, ...DEEP, ...TOO_LARGE]);

  describeRefusals('bodies that say gzip but are not valid gzip are 400 invalid_encoding on every JSON endpoint', w, BAD_GZIP);
  describeRefusals('gzipped bodies that are not JSON are 400 invalid_json, as their plain form is', w, GZIPPED_NOT_JSON);
  describeRefusals('zip bombs and gzipped bodies over 1 MiB inflated are 413 payload_too_large on every JSON endpoint', w, ZIP_BOMBS);
  describeRefusals('Content-Encodings other than gzip and identity are 415 unsupported_encoding on every JSON endpoint', w, OTHER_CODINGS);

  it('stops inflating a zip bomb at the limit instead of inflating all of it', async () => {
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const r = await w.s.request('POST', '/api/v1/sync/push', { cookie: w.volCookie, rawBody: bomb(512), headers: GZIP_HEADER });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: { code: 'payload_too_large', maxBytes: 2 ** 20 } });
    // 512 MiB never sat in memory (the server runs in this process).
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 2 ** 20);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  describe("broken URLs answer the error shape, not Fastify's, with the API's headers", () => {
    it.each(named(BROKEN_URLS))('%s', async (_, row) => {
      const res = await refuse(w, row);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describeRefusals('over-long path parameters and unknown routes answer the error shape', w, BAD_ROUTES);

  describe('health ignores junk query strings, cookies and headers', () => {
    it.each(['/api/v1/health?x=1&x=2', '/api/v1/health?__proto__[a]=1', '/api/v1/health?%zz'])('%s', async (url) => {
      const before = await snapshot(w.s);
      const r = await w.s.request('GET', url, { cookie: 'gocua_session=%00%zz; x=%C3%A9', headers: { 'x-forwarded-for': 'garbage' } });
      expect(r.status, url).toBe(200);
      expect(r.body).toEqual({ status: 'ok', db: dialect, version: expect.any(String) });
      expect(await snapshot(w.s)).toEqual(before);
    });
  });
});
