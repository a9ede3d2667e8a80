// pouchdb-browser ships no types; the benchmarks use only these calls.
declare module 'pouchdb-browser' {
  interface ReplicationResult {
    ok: boolean;
    docs_written: number;
    docs_read: number;
  }
  interface Replicate {
    (target: string, options?: { batch_size?: number; batches_limit?: number }): Promise<ReplicationResult>;
  }
  export default class PouchDB {
    constructor(name: string, options?: object);
    bulkDocs(docs: object[], options?: object): Promise<unknown[]>;
    info(): Promise<{ doc_count: number; update_seq: number | string }>;
    close(): Promise<void>;
    destroy(): Promise<void>;
    replicate: { from: Replicate; to: Replicate };
  }
}
