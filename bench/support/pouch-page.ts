// The browser half of the PouchDB baselines (bulk-load, first-sync, push):
// pouchdb-browser (its IndexedDB adapter, HTTP adapter and replication), bundled
// with esbuild into its own script so the app's bench page stays the app's code.
import PouchDB from 'pouchdb-browser';

interface Doc {
  _id: string;
  [k: string]: unknown;
}

/** Stores `docs` in a fresh IndexedDB-backed PouchDB `name` with bulkDocs, `batch` at a time; returns ms. */
async function bulkLoad(name: string, docs: Doc[], batch = 1000): Promise<number> {
  const db = new PouchDB(name);
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += batch) await db.bulkDocs(docs.slice(i, i + batch));
  const ms = performance.now() - t0;
  await db.close();
  return ms;
}

/** Replicates the remote database at `url` into a fresh local `name`; returns ms and documents written. */
async function replicateFrom(name: string, url: string): Promise<{ ms: number; docs: number }> {
  const db = new PouchDB(name);
  const t0 = performance.now();
  const r = await db.replicate.from(url, { batch_size: 1000, batches_limit: 2 });
  const ms = performance.now() - t0;
  await db.close();
  return { ms, docs: r.docs_written };
}

/** Stores `docs` locally in `name` (not timed), then replicates them to `url`; returns ms and documents written. */
async function replicateTo(name: string, docs: Doc[], url: string): Promise<{ ms: number; docs: number }> {
  const db = new PouchDB(name);
  await db.bulkDocs(docs);
  const t0 = performance.now();
  const r = await db.replicate.to(url, { batch_size: 100 });
  const ms = performance.now() - t0;
  await db.close();
  return { ms, docs: r.docs_written };
}

async function destroy(name: string): Promise<void> {
  await new PouchDB(name).destroy();
}

Object.assign(window, { benchPouch: { bulkLoad, replicateFrom, replicateTo, destroy } });
