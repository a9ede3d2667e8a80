// @vitest-environment node
// The engine's pushes on the wire, against the real server (SQLite): gzipped
// where the runtime has CompressionStream (Node 20, every current browser),
// plain JSON without it, and plain again once if a server refuses gzip with
// 415. Every path stores each record once.
import 'fake-indexeddb/auto';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serverWithLanAndMinh, signedInDevice } from './harness';
import { createHousehold } from '../../src/app/db/repo';
import { createHouseholdInput } from '../factories/records';
import type { PushRequest } from '../../src/shared/protocol';

interface Sent {
  encoding: string | null;
  bytes: number;
  body: PushRequest;
}

/** What each push put on the wire, read back as the server reads it. */
async function sent(init: RequestInit): Promise<Sent> {
  const headers = new Headers(init.headers);
  const raw = init.body instanceof Uint8Array ? Buffer.from(init.body) : Buffer.from(String(init.body));
  const encoding = headers.get('content-encoding');
  const json = encoding === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return { encoding, bytes: raw.length, body: JSON.parse(json) as PushRequest };
}

describe('push bodies on the wire', () => {
  const world = serverWithLanAndMinh();
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const households = async (d: Awaited<ReturnType<typeof signedInDevice>>, n: number) => {
    for (let i = 0; i < n; i++) await createHousehold(d.db, d.actor, createHouseholdInput({ notes: 'Bà cụ nghe kém, cần nói to và chậm.', address: { houseNumber: String(i + 1), street: 'Hàng Bông' } }));
  };
  const storedOnServer = async (clientId: string) =>
    Number((await world.s.db.kysely.selectFrom('clients').select('last_applied_seq').where('client_id', '=', clientId).executeTakeFirstOrThrow()).last_applied_seq);

  it('gzips a push (Content-Encoding: gzip) that the server applies, several times smaller than its JSON', async () => {
    const d = await signedInDevice(world.s, world.lan);
    await households(d, 120);
    const pushes: Sent[] = [];
    d.fault = async (input, init, real) => {
      if (input.includes('/sync/push')) pushes.push(await sent(init));
      return real(input, init);
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: true, pushed: 120 });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.encoding).toBe('gzip');
    expect(pushes[0]!.body.mutations).toHaveLength(120);
    expect(pushes[0]!.bytes).toBeLessThan(Buffer.byteLength(JSON.stringify(pushes[0]!.body)) / 4);
    expect(await d.db.outbox.count()).toBe(0);
    expect(await storedOnServer(pushes[0]!.body.clientId)).toBe(120);
  });

  it('sends plain JSON where there is no CompressionStream, and the server applies it', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    const d = await signedInDevice(world.s, world.lan);
    await households(d, 30);
    const pushes: Sent[] = [];
    d.fault = async (input, init, real) => {
      if (input.includes('/sync/push')) pushes.push(await sent(init));
      return real(input, init);
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: true, pushed: 30 });
    expect(pushes.map((p) => p.encoding)).toEqual([null]);
    expect(await d.db.outbox.count()).toBe(0);
  });

  it('resends a push plainly, once, when something in between answers 415 to gzip; each record is stored once', async () => {
    const d = await signedInDevice(world.s, world.lan);
    await households(d, 30);
    const pushes: Sent[] = [];
    d.fault = async (input, init, real) => {
      if (!input.includes('/sync/push')) return real(input, init);
      const s = await sent(init);
      pushes.push(s);
      // A proxy that does not take compressed bodies.
      if (s.encoding === 'gzip') return new Response(JSON.stringify({ error: { code: 'unsupported_encoding', message: 'no' } }), { status: 415, headers: { 'content-type': 'application/json' } });
      return real(input, init);
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: true, pushed: 30 });
    expect(pushes.map((p) => p.encoding)).toEqual(['gzip', null]);
    expect(pushes[1]!.body).toEqual(pushes[0]!.body);
    expect(await storedOnServer(pushes[0]!.body.clientId)).toBe(30);
    expect(await world.s.db.kysely.selectFrom('records').select('id').where('id', 'in', pushes[0]!.body.mutations.map((m) => m.id)).execute()).toHaveLength(30);
  });

  it('a gzipped push that times out is resent with the same numbers and stored once', async () => {
    const d = await signedInDevice(world.s, world.lan);
    await households(d, 40);
    let first = true;
    d.fault = async (input, init, real) => {
      if (!input.includes('/sync/push') || !first) return real(input, init);
      first = false;
      await real(input, init); // the server applies it; the answer is lost
      throw new TypeError('network lost');
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: false, error: 'offline' });
    expect(await d.db.outbox.count()).toBe(40);
    const pushes: Sent[] = [];
    d.fault = async (input, init, real) => {
      if (input.includes('/sync/push')) pushes.push(await sent(init));
      return real(input, init);
    };
    expect(await d.engine.syncNow()).toMatchObject({ ok: true, pushed: 40 });
    expect(pushes[0]!.encoding).toBe('gzip');
    expect(await d.db.outbox.count()).toBe(0);
    const ids = pushes[0]!.body.mutations.map((m) => m.id);
    expect(await world.s.db.kysely.selectFrom('records').select('id').where('id', 'in', ids).execute()).toHaveLength(40);
  });
});
