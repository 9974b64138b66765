// Calls from a trunk to a number nobody holds (issue 16 item 4). An IP
// trunk is recognised by a UDP source address anyone can forge, so a flood
// of INVITEs "from the operator" to made-up numbers must not write one CDR
// and one log line per packet. A few per tenant and minute still get their
// CDR (a misconfigured DID stays visible in the call history); the rest are
// only counted, and the counts go out as one log line and one alarm per
// tenant at most every `flushMs` — the alarm row is updated in place, so a
// flood of any length is one row.
import type { Logger } from '../../common/logger';

export const ALARM_UNKNOWN_DID = 'trunk-unknown-did';

export interface RefusedDidsDeps {
  alarms: {
    raise(a: { code: string; severity: 'warning'; tenantId: number; source: string; message: string; details?: Record<string, unknown> }): unknown;
  };
  log: Logger;
  now?: () => number;
  /** CDRs per tenant per window (default 5 per 60 s). */
  cdrsPerWindow?: number;
  windowMs?: number;
  /** The longest a count waits before its log line and alarm (default 10 s). */
  flushMs?: number;
}

interface Tally {
  /** Since the alarm was first raised by this process. */
  total: number;
  /** Since the last flush. */
  pending: number;
  trunks: Map<string, number>;
  /** A few of the numbers tried, for the admin to recognise a misconfiguration. */
  numbers: Set<string>;
  windowStart: number;
  cdrsInWindow: number;
}

const MAX_NUMBERS = 10;

export class RefusedDids {
  private readonly tallies = new Map<number, Tally>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: RefusedDidsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Counts one refused attempt; true when it may still have its own CDR
   * (within the tenant's budget for the window), false when only counted.
   */
  note(trunk: { tenantId: number; name: string }, dialled: string): boolean {
    const t = this.tally(trunk.tenantId);
    t.total++;
    t.pending++;
    t.trunks.set(trunk.name, (t.trunks.get(trunk.name) ?? 0) + 1);
    if (t.numbers.size < MAX_NUMBERS) t.numbers.add(dialled.slice(0, 32));
    this.schedule();
    const now = this.now();
    if (now - t.windowStart >= (this.deps.windowMs ?? 60_000)) {
      t.windowStart = now;
      t.cdrsInWindow = 0;
    }
    if (t.cdrsInWindow >= (this.deps.cdrsPerWindow ?? 5)) return false;
    t.cdrsInWindow++;
    return true;
  }

  /** Writes what is pending now (also on stop, so a count is not lost with the process). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [tenantId, t] of this.tallies) {
      if (t.pending === 0) continue;
      const trunks = Object.fromEntries(t.trunks);
      const numbers = [...t.numbers];
      this.deps.log.warn('calls from trunks to unknown numbers refused', { tenantId, attempts: t.pending, total: t.total, trunks, numbers });
      try {
        this.deps.alarms.raise({
          code: ALARM_UNKNOWN_DID,
          severity: 'warning',
          tenantId,
          source: 'call-control',
          message: `${t.total} calls from trunks to numbers that are not this tenant's DIDs were refused (404)`,
          details: { total: t.total, lastBatch: t.pending, trunks, numbers, at: new Date(this.now()).toISOString() },
        });
      } catch (err) {
        // The database is busy or full: the log line above still says it; the next flush tries again.
        this.deps.log.error('unknown-DID alarm not written', { tenantId, err: err instanceof Error ? err.message : String(err) });
      }
      t.pending = 0;
    }
  }

  private tally(tenantId: number): Tally {
    let t = this.tallies.get(tenantId);
    if (!t) {
      t = { total: 0, pending: 0, trunks: new Map(), numbers: new Set(), windowStart: this.now(), cdrsInWindow: 0 };
      this.tallies.set(tenantId, t);
    }
    return t;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.deps.flushMs ?? 10_000);
    this.timer.unref?.();
  }
}
