// CDR writes grouped into one SQLite transaction every few milliseconds.
//
// Why: the store runs synchronous=FULL (services/store/db.ts), so every
// commit waits for an fsync of the WAL — 1–5 ms on the test machine, with
// call-control's event loop blocked meanwhile. Two commits per answered
// call (open at answer, close at hangup) at 200 calls/s kept the loop
// blocked about half of each second and delayed rtpengine's ng replies
// into timeouts (bench/calls). One commit per `flushMs` holds all writes of
// that window with the same durability per row.
//
// What this changes for "no answered call without a CDR": the answer event
// is recorded once drachtio-srf has already sent the 200 to the caller
// (calls/bridge-call.ts), so even unbatched there was a window between the
// 200 and the durable row. Batching widens it from about one fsync to at
// most `flushMs` plus one fsync (default 10 ms) when writes come faster than
// one per `flushMs`; a lone write is committed at once. A call-control killed inside
// that window loses the call too: sip-core hangs up an application's dialogs
// when it disconnects, so the missing row is of a call that lasted no more
// than that window. Rows on disk are unchanged in shape and order.
import type { Logger } from '../../common/logger';
import type { CdrRecord } from './cdr-record';
import type { CdrSink } from './cdr-recorder';

export interface CdrBatchDeps {
  sink: CdrSink;
  /** Runs `fn` in one database transaction (better-sqlite3's db.transaction(fn)()). */
  transaction(fn: () => void): void;
  log: Logger;
  /** Longest a write waits for its commit. Default 10 ms. */
  flushMs?: number;
}

interface Write {
  callId: string;
  run(): void;
  attempts: number;
}

const MAX_ATTEMPTS = 3;

export class CdrBatchSink implements CdrSink {
  private queue: Write[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private lastCommitAt = 0;
  /** Commits and writes so far, for health and the benchmark. */
  readonly counters = { commits: 0, writes: 0, failed: 0 };

  constructor(private readonly deps: CdrBatchDeps) {
    this.flushMs = deps.flushMs ?? 10;
  }

  open(cdr: CdrRecord, owner: string): void {
    this.enqueue(cdr.callId, () => this.deps.sink.open(cdr, owner));
  }

  touch(callIds: readonly string[], at: number): void {
    const ids = [...callIds];
    this.enqueue(ids.join(','), () => this.deps.sink.touch(ids, at));
  }

  close(cdr: CdrRecord): void {
    this.enqueue(cdr.callId, () => this.deps.sink.close(cdr));
  }

  /** True while a write for this call is waiting for its commit (the row may not be on disk yet). */
  has(callId: string): boolean {
    return this.queue.some((w) => w.callId === callId);
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Commits everything queued now. One failing write must not lose the
   * others: when the transaction fails, each write is tried on its own and
   * a failing one is kept for the next flush, up to three attempts.
   */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.lastCommitAt = Date.now();
    try {
      this.deps.transaction(() => {
        for (const w of batch) w.run();
      });
      this.counters.commits++;
      this.counters.writes += batch.length;
      return;
    } catch (err) {
      this.deps.log.warn('cdr batch failed, writing one by one', { writes: batch.length, err: err instanceof Error ? err.message : String(err) });
    }
    for (const w of batch) {
      try {
        w.run();
        this.counters.commits++;
        this.counters.writes++;
      } catch (err) {
        w.attempts++;
        const keep = w.attempts < MAX_ATTEMPTS;
        if (!keep) this.counters.failed++;
        this.deps.log.error('cdr write failed', { callId: w.callId, attempts: w.attempts, retrying: keep, err: err instanceof Error ? err.message : String(err) });
        if (keep) this.enqueue(w.callId, w.run, w.attempts);
      }
    }
  }

  /**
   * At most one commit per `flushMs`: an idle system commits at the end of
   * the current event-loop turn (no added delay), a busy one gathers the
   * writes of the rest of the window into the next commit.
   */
  private enqueue(callId: string, run: () => void, attempts = 0): void {
    this.queue.push({ callId, run, attempts });
    if (this.timer) return;
    const wait = Math.max(0, this.lastCommitAt + this.flushMs - Date.now());
    // unref: stop() flushes what is left; a pending flush alone must not keep a process alive.
    this.timer = setTimeout(() => this.flush(), wait).unref();
  }
}
