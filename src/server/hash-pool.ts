// Password hashing in its own threads, rationed.
//
// Why: scrypt at N=2^17 takes 128 MiB and a few hundred milliseconds of CPU by
// design. Node's async crypto.scrypt runs on libuv's shared pool (4 threads),
// the same one that reads static files, compresses responses and resolves
// host names, so 24 sign-ins queued an unrelated request for 5.9 s.
//
// Invariants:
//   1. At most HASH_CONCURRENCY hashes run at once, one per worker thread
//      (scryptSync inside the worker), so sign-in storms cost at most that many
//      cores and 2 × 128 MiB, never touch the libuv pool, and run at a lower
//      priority than the request threads.
//   2. A hash waits at most maxWaitMs for a worker, first come first served;
//      then it fails with 503 busy and Retry-After, rather than piling up.
//   3. A worker that dies (out of memory) fails its one job and is replaced on
//      the next job; the pool never hangs.
import { Worker } from 'node:worker_threads';
import type { ScryptOptions } from 'node:crypto';
import type { TestHooks } from './context';
import { ApiError } from './errors';
import type { ScryptFn } from './passwords';

export const HASH_CONCURRENCY = 2;
export const HASH_MAX_WAIT_MS = 2000;
const HASH_THREAD_NICE = 10;

export interface HashingOptions {
  /** Hashes at once (one worker thread each). Default 2. */
  concurrency?: number;
  /** How long a hash may wait for a free worker before 503 busy. Default 2000 ms. */
  maxWaitMs?: number;
}

export interface HashPool {
  /** scrypt in a worker thread; throws ApiError 503 busy after waiting too long for one. */
  scrypt: ScryptFn;
  close(): Promise<void>;
}

// Plain JS, evaluated as a worker: a .ts worker file would need tsx's loader
// under vitest and in `npm start`, and this is all the worker does.
//
// The worker lowers its own thread's priority (nice 10; Linux, where
// /proc/thread-self names the thread; elsewhere it stays as it is): when cores
// are short, hashing yields to the threads that serve sync and static files.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, ${HASH_THREAD_NICE});
} catch {}
parentPort.on('message', ({ password, salt, keyLen, options }) => {
  try {
    parentPort.postMessage({ key: scryptSync(password, salt, keyLen, options) });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Job {
  resolve(key: Buffer): void;
  reject(error: Error): void;
}

class HashWorker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private job: Job | undefined;
  dead = false;

  constructor() {
    this.worker.unref(); // an idle pool never keeps the process alive
    this.worker.on('message', (m: { key?: Uint8Array; error?: string }) => {
      const job = this.take();
      if (m.key) job?.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      else job?.reject(new Error(m.error ?? 'scrypt failed'));
    });
    const fail = (error: Error) => {
      this.dead = true;
      this.take()?.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`hash worker exited (${code})`)));
  }

  private take(): Job | undefined {
    const job = this.job;
    this.job = undefined;
    return job;
  }

  run(password: string, salt: Buffer, keyLen: number, options: ScryptOptions): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.job = { resolve, reject };
      this.worker.postMessage({ password, salt, keyLen, options });
    });
  }

  terminate() {
    this.dead = true;
    return this.worker.terminate();
  }
}

export function createHashPool(options: HashingOptions = {}, hooks: TestHooks = {}): HashPool {
  const concurrency = options.concurrency ?? HASH_CONCURRENCY;
  const maxWaitMs = options.maxWaitMs ?? HASH_MAX_WAIT_MS;
  const retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000));
  // Workers start on first use, so an app that never hashes starts none.
  const idle: HashWorker[] = [];
  let started = 0;
  const waiting: { grant(worker: HashWorker): void; fail(error: Error): void }[] = [];
  let closed = false;

  function acquire(): Promise<HashWorker> {
    if (closed) return Promise.reject(new Error('the hash pool is closed'));
    const ready = idle.pop();
    if (ready) return Promise.resolve(ready);
    if (started < concurrency) {
      started += 1;
      return Promise.resolve(new HashWorker());
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(entry), 1);
        reject(
          new ApiError(
            503,
            'busy',
            'The server is busy checking other passwords; try again in a moment',
            { retryAfterSeconds },
            { 'retry-after': String(retryAfterSeconds) },
          ),
        );
      }, maxWaitMs);
      const entry = {
        grant(worker: HashWorker) {
          clearTimeout(timer);
          resolve(worker);
        },
        fail(error: Error) {
          clearTimeout(timer);
          reject(error);
        },
      };
      waiting.push(entry);
    });
  }

  function release(worker: HashWorker) {
    if (closed) {
      void worker.terminate();
      return;
    }
    let next: HashWorker | undefined = worker;
    if (worker.dead) {
      started -= 1;
      next = undefined;
    }
    const waiter = waiting.shift();
    if (!waiter) {
      if (next) idle.push(next);
      return;
    }
    if (!next) {
      started += 1;
      next = new HashWorker();
    }
    waiter.grant(next);
  }

  return {
    async scrypt(password, salt, keyLen, scryptOptions) {
      const worker = await acquire();
      try {
        await hooks.whileHashing?.();
        return await worker.run(password, salt, keyLen, scryptOptions);
      } finally {
        release(worker);
      }
    },
    async close() {
      closed = true;
      for (const waiter of waiting.splice(0)) waiter.fail(new Error('the hash pool is closed'));
      await Promise.all(idle.splice(0).map((w) => w.terminate()));
    },
  };
}
