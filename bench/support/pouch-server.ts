// The PouchDB side of the side-by-side benchmarks (first-sync, push): an
// express 4 app with express-pouchdb over pouchdb-core and the in-memory
// adapter, on 127.0.0.1 and a free port. This is the setup the field's tools
// replicate against (a CouchDB-compatible HTTP API); express 5 breaks
// express-pouchdb's _changes route, hence express 4. CORS is open so that a
// Chromium page of another origin (our server's) can replicate with it.
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// These packages ship no types; the benchmarks only need a few calls.
export interface PouchDb {
  bulkDocs(docs: object[], options?: { new_edits?: boolean }): Promise<unknown[]>;
  info(): Promise<{ doc_count: number; update_seq: number | string }>;
  destroy(): Promise<unknown>;
}
type PouchCtor = (new (name: string) => PouchDb) & { defaults(o: object): PouchCtor };

export interface PouchServer {
  /** Base URL of the CouchDB-style API; a database is `${url}/${name}`. */
  url: string;
  /** A database on the server, e.g. to fill it with the documents a device will pull. */
  db(name: string): PouchDb;
  close(): Promise<void>;
}

export async function startPouchServer(): Promise<PouchServer> {
  const express = require('express') as () => {
    use(...a: unknown[]): void;
    listen(port: number, host: string, cb: () => void): import('node:http').Server;
  };
  const PouchDB = (require('pouchdb-core') as { plugin(p: unknown): PouchCtor & { plugin(p: unknown): unknown } })
    .plugin(require('pouchdb-adapter-memory')) as PouchCtor & { plugin(p: unknown): PouchCtor };
  const withPlugins = PouchDB.plugin(require('pouchdb-adapter-http')) as PouchCtor & { plugin(p: unknown): PouchCtor };
  const Full = (withPlugins.plugin(require('pouchdb-replication')) as PouchCtor & { plugin(p: unknown): PouchCtor }).plugin(require('pouchdb-mapreduce'));
  const Mem = Full.defaults({ adapter: 'memory' });
  const app = express();
  app.use((req: { method: string; headers: Record<string, string | undefined> }, res: { setHeader(k: string, v: string): void; statusCode: number; end(): void }, next: () => void) => {
    // pouchdb-browser fetches with credentials: 'include', for which a browser
    // refuses `*`: echo the page's origin and allow credentials.
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'GET, PUT, POST, DELETE, HEAD, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Accept, Authorization');
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return;
    }
    next();
  });
  app.use('/', (require('express-pouchdb') as (db: unknown, o: object) => unknown)(Mem, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: '/dev/null' }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db: (name) => new Mem(name),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
