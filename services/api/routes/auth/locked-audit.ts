// Attempts on a locked account are audited as one row per (account, source)
// and minute with a count, not one row each: a flood against a locked
// `admin` would otherwise grow the hash-chained audit log without bound.
import type { AuditEntry } from '../../../store';

const EVERY_MS = 60_000;

interface Pending {
  entry: AuditEntry;
  count: number;
  lastWrittenAt: number;
}

export class LockedAudit {
  private readonly pending = new Map<string, Pending>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly append: (e: AuditEntry) => void) {
    this.timer = setInterval(() => this.flush(Date.now()), EVERY_MS);
    this.timer.unref();
  }

  /** Counts one refused attempt; writes a row at once for the first of a run, then at most once a minute. */
  note(key: string, entry: AuditEntry, nowMs: number): void {
    const p = this.pending.get(key);
    if (!p) {
      this.append({ ...entry, details: { reason: 'locked', attempts: 1 } });
      this.pending.set(key, { entry, count: 0, lastWrittenAt: nowMs });
      return;
    }
    p.count++;
    if (nowMs - p.lastWrittenAt >= EVERY_MS) this.write(key, p, nowMs);
  }

  private write(key: string, p: Pending, nowMs: number): void {
    if (p.count > 0) this.append({ ...p.entry, details: { reason: 'locked', attempts: p.count } });
    p.count = 0;
    p.lastWrittenAt = nowMs;
    if (this.pending.size > 10_000) this.pending.delete(key);
  }

  /** Writes the counts still pending; a run that went quiet for a minute is forgotten. */
  flush(nowMs: number): void {
    for (const [key, p] of this.pending) {
      if (p.count > 0) this.write(key, p, nowMs);
      else if (nowMs - p.lastWrittenAt >= EVERY_MS) this.pending.delete(key);
    }
  }
}
