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
//
// A CDR is never dropped (issue 16): when a commit fails (busy past the short
// wait the service gives CDR commits, disk full, I/O error) the batch goes to
// the append-only spill file (cdr-spill.ts, fsync'd), and while the spill
// holds anything every later write goes there too, so the order of one
// call's writes is kept. A timer replays the spill with a growing delay;
// start-up replays it before recovery looks for orphans. A write the
// database refuses for a reason of its own (a constraint, not the disk) is
// moved to cdr-rejected.jsonl beside the spill and logged, not lost.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/logger';
import type { CdrRecord } from './cdr-record';
import type { CdrSink } from './cdr-recorder';
import type { CdrSpill} from './cdr-spill';
import { type CdrWrite } from './cdr-spill';

export interface CdrBatchDeps {
  sink: CdrSink & {
    /** Whether a row for the call exists: replaying an `open` twice must not fail. */
    get?(callId: string): unknown;
  };
  /** Runs `fn` in one database transaction (better-sqlite3's db.transaction(fn)()). */
  transaction(fn: () => void): void;
  log: Logger;
  /** Longest a write waits for its commit. Default 10 ms. */
  flushMs?: number;
  /** Where refused writes wait; without it, an in-memory queue (tests of the batching alone). */
  spill?: CdrSpill;
  /** First replay after a failure; the delay doubles up to 30 s. Default 500 ms. */
  retryMs?: number;
  /** Told when a commit failed because the disk is full (the service releases its disk reserve). */
  onDiskFull?: () => void;
  /** Told when a replay emptied the spill. */
  onRecovered?: (replayed: number) => void;
}

const MAX_RETRY_MS = 30_000;
/** SQLite and errno codes of a database that cannot take writes now but may later. */
const TRANSIENT = /^(SQLITE_BUSY|SQLITE_LOCKED|SQLITE_FULL|SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PROTOCOL|ENOSPC|EDQUOT|EIO|EROFS)/;

const codeOf = (err: unknown): string => String((err as { code?: unknown } | undefined)?.code ?? '');
const isFull = (err: unknown) => /^(SQLITE_FULL|ENOSPC|EDQUOT)/.test(codeOf(err));
const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
const callIdsOf = (w: CdrWrite) => (w.op === 'touch' ? w.callIds : [w.cdr.callId]);

export class CdrBatchSink implements CdrSink {
  private queue: CdrWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private readonly flushMs: number;
  private lastCommitAt = 0;
  private readonly spill: CdrSpill | undefined;
  /** Without a spill file: refused writes kept in memory, in order. */
  private readonly held: CdrWrite[] = [];
  /** Commits and writes so far, for health and the benchmark; `failed` counts writes moved to the rejected file. */
  readonly counters = { commits: 0, writes: 0, failed: 0, spilled: 0, replayed: 0 };

  constructor(private readonly deps: CdrBatchDeps) {
    this.flushMs = deps.flushMs ?? 10;
    this.retryMs = deps.retryMs ?? 500;
    this.spill = deps.spill;
  }

  open(cdr: CdrRecord, owner: string): void {
    this.enqueue({ op: 'open', cdr, owner });
  }

  touch(callIds: readonly string[], at: number): void {
    this.enqueue({ op: 'touch', callIds: [...callIds], at });
  }

  close(cdr: CdrRecord): void {
    this.enqueue({ op: 'close', cdr });
  }

  /** True while a write for this call is not yet in the database (queued or spilled). */
  has(callId: string): boolean {
    return this.queue.some((w) => callIdsOf(w).includes(callId)) || this.held.some((w) => callIdsOf(w).includes(callId)) || (this.spill?.has(callId) ?? false);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes waiting for the database to take them again (spill file or memory). */
  get spilled(): number {
    return (this.spill?.size ?? 0) + this.held.length;
  }

  /** Commits everything queued now; what the database refuses is spilled, never dropped. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.lastCommitAt = Date.now();
    if (this.spilled > 0) {
      this.toSpill(batch); // behind what already waits: one call's writes stay in order
      return;
    }
    try {
      this.deps.transaction(() => {
        for (const w of batch) this.apply(w);
      });
      this.counters.commits++;
      this.counters.writes += batch.length;
    } catch (err) {
      this.deps.log.warn('cdr commit failed, writes spilled for replay', { writes: batch.length, code: codeOf(err), err: describe(err) });
      if (isFull(err)) this.deps.onDiskFull?.();
      this.toSpill(batch);
    }
  }

  private toSpill(batch: CdrWrite[]): void {
    if (this.spill) this.spill.append(batch);
    else this.held.push(...batch);
    this.counters.spilled += batch.length;
    this.scheduleReplay();
  }

  private apply(w: CdrWrite): void {
    if (w.op === 'open') {
      if (!this.deps.sink.get?.(w.cdr.callId)) this.deps.sink.open(w.cdr, w.owner);
    } else if (w.op === 'touch') this.deps.sink.touch(w.callIds, w.at);
    else this.deps.sink.close(w.cdr);
  }

  private scheduleReplay(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.replay()) {
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
        this.scheduleReplay();
      }
    }, this.retryMs).unref();
  }

  /**
   * Moves every spilled write into the database, in order, in one
   * transaction; true when nothing waits any more. Run at start-up and by
   * the retry timer.
   */
  replay(): boolean {
    const writes = this.spill ? this.spill.read() : [...this.held];
    if (writes.length === 0) return true;
    try {
      this.deps.transaction(() => {
        for (const w of writes) this.apply(w);
      });
    } catch (err) {
      if (TRANSIENT.test(codeOf(err))) {
        if (isFull(err)) this.deps.onDiskFull?.();
        this.deps.log.warn('cdr replay failed, retrying later', { writes: writes.length, code: codeOf(err), retryMs: this.retryMs });
        return false;
      }
      this.replayOneByOne(writes);
      return this.spilled === 0;
    }
    this.done(writes.length);
    return true;
  }

  /** A write the database refuses for its own reason goes to the rejected file; the rest go in. */
  private replayOneByOne(writes: CdrWrite[]): void {
    for (const [i, w] of writes.entries()) {
      try {
        this.deps.transaction(() => this.apply(w));
      } catch (err) {
        if (TRANSIENT.test(codeOf(err))) {
          // The database went away again: the rest (this one included) wait for the next replay.
          this.keepOnly(writes.slice(i));
          this.counters.replayed += i;
          this.scheduleReplay();
          return;
        }
        this.reject(w, err);
      }
    }
    this.done(writes.length);
  }

  private keepOnly(rest: CdrWrite[]): void {
    if (this.spill) {
      this.spill.clear();
      this.spill.append(rest);
    } else this.held.splice(0, this.held.length, ...rest);
  }

  private reject(w: CdrWrite, err: unknown): void {
    this.counters.failed++;
    this.deps.log.error('cdr write refused by the database, kept in the rejected file', { callId: callIdsOf(w).join(','), op: w.op, err: describe(err) });
    if (this.spill) appendFileSync(path.join(path.dirname(this.spill.file), 'cdr-rejected.jsonl'), JSON.stringify({ ...w, error: describe(err) }) + '\n', { mode: 0o600 });
  }

  private done(n: number): void {
    if (this.spill) this.spill.clear();
    else this.held.length = 0;
    this.counters.replayed += n;
    this.retryMs = this.deps.retryMs ?? 500;
    this.deps.log.info('spilled cdr writes replayed into the database', { writes: n });
    this.deps.onRecovered?.(n);
  }

  /** Stops the retry timer (the spill file stays for the next start). */
  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * At most one commit per `flushMs`: an idle system commits at the end of
   * the current event-loop turn (no added delay), a busy one gathers the
   * writes of the rest of the window into the next commit.
   */
  private enqueue(w: CdrWrite): void {
    this.queue.push(w);
    if (this.timer) return;
    const wait = Math.max(0, this.lastCommitAt + this.flushMs - Date.now());
    // unref: stop() flushes what is left; a pending flush alone must not keep a process alive.
    this.timer = setTimeout(() => this.flush(), wait).unref();
  }
}
