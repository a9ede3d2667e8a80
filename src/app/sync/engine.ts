// The device sync engine: push the outbox, then pull, whenever there is a
// chance — app start, shortly after each save, the browser's "online" event,
// the page becoming visible, every 60 s while visible, and Background Sync where
// the browser has it (never as the only path: iOS and Firefox lack it).
//
// Failures are retried with jittered exponential backoff (2 s to 5 min), reset
// by success or by "online". A 401 stops retries and asks the volunteer to sign
// in again; nothing local is touched. One sync runs at a time across tabs.
import type { GoCuaDB } from '../db/database';
import { getMeta, setMeta } from '../db/meta';
import { onSaved } from '../db/events';
import { MAX_MUTATIONS_PER_PUSH, PROTOCOL_VERSION, pushResponseSchema } from '../../shared/protocol';
import { requestJson, type HttpFailure, type HttpOptions } from './http';
import { applyPushResults, clientIdOf, nextBatch, numberOutbox, renumberAfterGap } from '../db/outbox';
import { pullAll } from './pull';
import { backoffDelay } from './backoff';
import { withSyncLock } from './lock';
import { deviceReport } from './deviceReport';

const SYNC_INTERVAL_MS = 60_000;
const SAVE_DEBOUNCE_MS = 1_500;
export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;
const LAST_SYNC = 'sync.lastSyncAt';

/** Plain-words reasons, each with a localised message in locales/<lang>/sync.json. */
type SyncErrorCode =
  | 'offline'
  | 'timeout'
  | 'unexpected_response'
  | 'server_error'
  | 'unauthenticated'
  | 'forbidden'
  | 'seq_gap'
  | 'wrong_user'
  | 'rejected_request'
  | 'storage';

export interface SyncStatus {
  syncing: boolean;
  lastSyncAt?: string | undefined;
  lastError?: SyncErrorCode | undefined;
  needsSignIn: boolean;
  /** Device clock minus server clock, when it is off by more than 5 minutes. */
  clockSkewMs?: number | undefined;
  nextRetryAt?: number | undefined;
}

type RunOutcome = { ok: true; pushed: number; pulled: number } | { ok: false; error: SyncErrorCode };
type SyncOutcome = RunOutcome | { ok: false; error: 'busy' };

function errorOf(f: HttpFailure): SyncErrorCode {
  switch (f.kind) {
    case 'offline':
      return 'offline';
    case 'timeout':
      return 'timeout';
    case 'unexpected':
      return f.status >= 500 ? 'server_error' : 'unexpected_response';
    case 'api':
      if (f.status === 401) return 'unauthenticated';
      if (f.code === 'wrong_user') return 'wrong_user';
      if (f.status === 403) return 'forbidden';
      if (f.code === 'seq_gap') return 'seq_gap';
      return f.status >= 500 ? 'server_error' : 'rejected_request';
  }
}

export class SyncEngine {
  private state: SyncStatus = { syncing: false, needsSignIn: false };
  private listeners = new Set<(s: SyncStatus) => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private cleanups: Array<() => void> = [];
  /** Set by stop(): a stopped engine never syncs again (its user signed out). */
  private stopped = false;
  private inflight = new AbortController();

  constructor(
    readonly db: GoCuaDB,
    private readonly lockName: string,
    private readonly http: HttpOptions = {},
    /** Whose queue this is; sent so the server refuses it under another user's session. */
    readonly userId?: string,
  ) {}

  private get httpOpts(): HttpOptions {
    return { ...this.http, signal: this.inflight.signal };
  }

  get status(): SyncStatus {
    return this.state;
  }

  subscribe(fn: (s: SyncStatus) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<SyncStatus>) {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private noteServerDate(serverDate?: number) {
    if (serverDate === undefined) return;
    const skew = Date.now() - serverDate;
    this.set({ clockSkewMs: Math.abs(skew) > CLOCK_SKEW_LIMIT_MS ? skew : undefined });
  }

  /** One full push-then-pull, unless another tab is already syncing. */
  async syncNow(): Promise<SyncOutcome> {
    if (this.stopped) return { ok: false, error: 'busy' };
    if (this.state.needsSignIn) return { ok: false, error: 'unauthenticated' };
    const result = await withSyncLock(this.lockName, () => this.run());
    if (result === 'busy') return { ok: false, error: 'busy' };
    return result;
  }

  private async run(): Promise<RunOutcome> {
    clearTimeout(this.retryTimer);
    this.set({ syncing: true, nextRetryAt: undefined });
    try {
      const outcome = await this.pushAndPullSafely();
      if (outcome.ok) {
        this.attempt = 0;
        const now = new Date().toISOString();
        await setMeta(this.db, LAST_SYNC, now);
        this.set({ lastSyncAt: now, lastError: undefined });
      } else {
        this.set({ lastError: outcome.error });
        if (outcome.error === 'unauthenticated' || outcome.error === 'wrong_user') this.set({ needsSignIn: true });
        else this.scheduleRetry();
      }
      return outcome;
    } finally {
      this.set({ syncing: false });
    }
  }

  /**
   * A sync is started by timers and events with nobody to catch what it
   * throws. The data layer can throw while storing an answer (a full disk while
   * storing a pulled page or acknowledging a push): its transaction rolls back,
   * nothing is lost, and the volunteer sees "storage" instead of a silent stop.
   */
  private async pushAndPullSafely(): Promise<RunOutcome> {
    try {
      return await this.pushAndPull();
    } catch {
      return { ok: false, error: 'storage' };
    }
  }

  /**
   * Only the push half, under the same cross-tab lock: send the outbox until
   * every entry is acknowledged (or a failure stops it). The push benchmark
   * times this; the app always runs push-then-pull (syncNow).
   */
  async pushNow(): Promise<{ ok: true; pushed: number } | { ok: false; error: SyncErrorCode | 'busy' }> {
    if (this.stopped) return { ok: false, error: 'busy' };
    const result = await withSyncLock(this.lockName, async () => {
      try {
        return await this.push(await clientIdOf(this.db));
      } catch {
        return { ok: false as const, error: 'storage' as const };
      }
    });
    return result === 'busy' ? { ok: false, error: 'busy' } : result;
  }

  private async pushAndPull(): Promise<RunOutcome> {
    const clientId = await clientIdOf(this.db);
    const pushedOrFailed = await this.push(clientId);
    if (!pushedOrFailed.ok) return pushedOrFailed;
    const { pushed } = pushedOrFailed;
    // The pull reports again: after the pushes, fewer records are waiting.
    const pulled = await pullAll(this.db, this.httpOpts, (d) => this.noteServerDate(d), this.userId, { clientId, report: await deviceReport(this.db) });
    if (!pulled.ok) return { ok: false, error: errorOf(pulled) };
    return { ok: true, pushed, pulled: pulled.pulled };
  }

  /**
   * Sends the outbox, batch after batch, until it is empty or a failure stops it.
   *
   * One request at a time (the server requires each push to start right after
   * the last seq it applied), but the device's work overlaps the network:
   * while a batch is in flight the next one is read, and while its answer is
   * being stored the next one is already on its way. Exactly once still holds
   * (outbox.ts): an entry leaves the queue only with the answer that covers
   * it; if storing an answer fails, its entries are sent again next time and
   * the server answers "duplicate".
   */
  private async push(clientId: string): Promise<{ ok: true; pushed: number } | { ok: false; error: SyncErrorCode }> {
    await numberOutbox(this.db);
    const device = await deviceReport(this.db);
    let pushed = 0;
    let maxCount = MAX_MUTATIONS_PER_PUSH;
    let renumbered = false;
    // The answer of the previous batch being stored: how many entries it removed.
    let storing: Promise<number> | undefined;
    const stored = async (): Promise<boolean> => {
      if (!storing) return true;
      const removed = await storing;
      storing = undefined;
      pushed += removed;
      // An answer that acknowledged none of what was sent would loop for ever:
      // stop, and let the backoff try again later.
      return removed > 0;
    };
    let batch = await nextBatch(this.db, maxCount);
    for (;;) {
      if (batch.length === 0) {
        if (!(await stored())) return { ok: false, error: 'unexpected_response' };
        // Read ahead found nothing: make sure from the head of the queue.
        batch = await nextBatch(this.db, maxCount);
        if (batch.length === 0) break;
      }
      if (this.stopped) {
        await stored();
        return { ok: false, error: 'offline' };
      }
      const request = requestJson(
        pushResponseSchema,
        '/api/v1/sync/push',
        {
          method: 'POST',
          body: { protocol: PROTOCOL_VERSION, clientId, ...(this.userId ? { userId: this.userId } : {}), device, mutations: batch },
          gzip: true, // JSON of records compresses ~8×: the bytes a volunteer pays for on 3G
        },
        this.httpOpts,
      );
      // While it is in flight: the previous answer finishes storing, and the
      // entries after this batch are read.
      const acknowledged = await stored();
      const ahead = nextBatch(this.db, maxCount, batch[batch.length - 1]!.seq);
      const res = await request;
      if (!acknowledged) {
        await ahead.catch(() => undefined);
        return { ok: false, error: 'unexpected_response' };
      }
      if (!res.ok) {
        await ahead.catch(() => undefined);
        // Too big for the server after all: send smaller batches, down to one.
        if (res.kind === 'api' && res.status === 413 && maxCount > 1) {
          maxCount = Math.max(1, Math.floor(Math.min(maxCount, batch.length) / 2));
          batch = await nextBatch(this.db, maxCount);
          continue;
        }
        // The server lost its counter: number the queue after what it has, once.
        if (res.kind === 'api' && res.code === 'seq_gap' && !renumbered) {
          const last = Number((res.body.error as { lastAppliedSeq?: unknown } | undefined)?.lastAppliedSeq);
          renumbered = true;
          if (Number.isInteger(last) && last >= 0 && (await renumberAfterGap(this.db, last))) {
            batch = await nextBatch(this.db, maxCount);
            continue;
          }
        }
        return { ok: false, error: errorOf(res) };
      }
      this.noteServerDate(res.serverDate);
      storing = applyPushResults(this.db, batch, res.data.results);
      // A failed store rejects `storing`; it is awaited (and thrown) by stored().
      storing.catch(() => undefined);
      batch = await ahead;
    }
    return { ok: true, pushed };
  }

  private scheduleRetry() {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.set({ nextRetryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => void this.syncNow(), delay);
  }

  /** After the volunteer signs in again: clear the 401 state and sync. */
  resume(): void {
    this.attempt = 0;
    this.set({ needsSignIn: false, lastError: undefined });
    void this.syncNow();
  }

  /** Wires the triggers. Returns nothing; call stop() to remove them. */
  async start(): Promise<void> {
    // start() after stop() (React StrictMode mounts effects twice in development).
    this.stopped = false;
    if (this.inflight.signal.aborted) this.inflight = new AbortController();
    this.set({ lastSyncAt: await getMeta<string>(this.db, LAST_SYNC) });
    if (this.stopped) return; // signed out while the line above was reading
    const soon = () => {
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => void this.syncNow(), SAVE_DEBOUNCE_MS);
      requestBackgroundSync();
    };
    const online = () => {
      this.attempt = 0;
      void this.syncNow();
    };
    const visible = () => {
      if (document.visibilityState === 'visible') void this.syncNow();
    };
    const message = (e: MessageEvent) => {
      if ((e.data as { type?: string } | null)?.type === 'gocua-sync') void this.syncNow();
    };
    this.cleanups.push(onSaved(soon));
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    navigator.serviceWorker?.addEventListener('message', message);
    const interval = setInterval(() => {
      if (document.visibilityState === 'visible') void this.syncNow();
    }, SYNC_INTERVAL_MS);
    this.cleanups.push(
      () => window.removeEventListener('online', online),
      () => document.removeEventListener('visibilitychange', visible),
      () => navigator.serviceWorker?.removeEventListener('message', message),
      () => clearInterval(interval),
      () => clearTimeout(this.saveTimer),
      () => clearTimeout(this.retryTimer),
    );
    void this.syncNow();
  }

  /** For good: removes the triggers, aborts a request in flight and cancels retries. */
  stop(): void {
    this.stopped = true;
    this.inflight.abort();
    for (const c of this.cleanups.splice(0)) c();
    clearTimeout(this.retryTimer);
    clearTimeout(this.saveTimer);
  }
}

/** Asks the service worker to wake us when connectivity returns (Chromium only). */
function requestBackgroundSync() {
  const sw = (globalThis.navigator as Navigator | undefined)?.serviceWorker;
  if (!sw) return;
  void sw.ready
    .then((reg) => (reg as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register('gocua-sync'))
    .catch(() => undefined);
}
