// Request bodies sent with Content-Encoding: gzip (devices gzip their pushes;
// docs/API.md "Compressed request bodies").
//
// A Fastify preParsing hook, on every route: it hands the JSON parser the
// inflated body, so every later check (bodyLimit, invalid_json, the zod
// schemas) sees exactly what a plain JSON body would have given it.
//
// The body limit counts DECOMPRESSED bytes. A few KB of gzip can inflate to
// gigabytes (a "zip bomb"): inflating stops the moment the output passes the
// limit, the rest of the upload is discarded unread (the connection closes),
// and the answer is 413 payload_too_large, as for a plain body over the limit.
// The compressed bytes are limited too (Fastify's own check, on
// receivedEncodedLength), so neither side of the stream is unbounded.
//
// Anything else is refused before a byte is parsed:
//   - a body that is not valid gzip (corrupt, truncated): 400 invalid_encoding;
//   - any other Content-Encoding (br, deflate, zstd, lists of codings): 415
//     unsupported_encoding. One coding keeps the limit logic in one place.
// A request without Content-Encoding (or with "identity") is read as before,
// so protocol 1 devices that send plain JSON keep working.
import { PassThrough, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

/** Content-Encoding values a request body may carry. */
export const REQUEST_ENCODINGS = ['gzip', 'identity'] as const;

type Inflating = PassThrough & { receivedEncodedLength: number };

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function tooLarge(limit: number): ApiError {
  // The rest of the body is not read: the socket cannot be reused.
  return new ApiError(413, 'payload_too_large', `The body is larger than ${limit} bytes`, { maxBytes: limit }, { connection: 'close' });
}

/** Inflates `raw`, failing with 413 as soon as the output passes `limit` bytes and with 400 invalid_encoding on bad gzip. */
export function inflateLimited(raw: Readable, limit: number): Inflating {
  const out = new PassThrough() as Inflating;
  out.receivedEncodedLength = 0; // Fastify compares it with Content-Length and the limit
  const gunzip = zlib.createGunzip();
  let inflated = 0;
  let failed = false;
  const fail = (error: Error) => {
    if (failed) return;
    failed = true;
    raw.unpipe(gunzip);
    gunzip.destroy();
    raw.resume(); // discard the rest unread; the reply closes the connection
    out.destroy(error);
  };
  raw.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
  });
  raw.on('error', (error) => fail(error));
  gunzip.on('data', (chunk: Buffer) => {
    if (failed) return;
    inflated += chunk.length;
    if (inflated > limit) return fail(tooLarge(limit));
    out.write(chunk);
  });
  gunzip.on('error', () =>
    fail(new ApiError(400, 'invalid_encoding', 'The body says Content-Encoding: gzip but is not valid gzip', {}, { connection: 'close' })),
  );
  gunzip.on('end', () => {
    if (!failed) out.end();
  });
  raw.pipe(gunzip);
  return out;
}

/** The preParsing hook; `limit` is the app's bodyLimit. */
export function requestDecoding(limit: number) {
  return async function decodeRequestBody(request: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> {
    const header = request.headers['content-encoding'];
    if (header === undefined || !hasBody(request)) return payload;
    const encoding = header.trim().toLowerCase();
    if (encoding === '' || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip') {
      throw new ApiError(
        415,
        'unsupported_encoding',
        'Send the body as plain JSON or with Content-Encoding: gzip',
        { supported: [...REQUEST_ENCODINGS] },
        { connection: 'close' },
      );
    }
    return inflateLimited(payload, limit);
  };
}
