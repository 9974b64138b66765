// What a transaction leaves behind once its final response is settled: its
// key and, where the RFC asks for a repeat, the bytes to repeat. RFC 3261
// §17.2.2 Timer J (server non-INVITE, repeat the final response), RFC 6026
// Timers L and M (INVITE server and client in Accepted: absorb the INVITE,
// pass extra 2xx up), §17.1.1.2 Timer D (client INVITE after a non-2xx:
// repeat the ACK) and §17.1.2.2 Timer K (client non-INVITE: absorb finals).
// A whole transaction (request, response, closures, timers) kept for 32 s
// cost more than a dialog; this keeps about a hundred bytes. Every entry of
// one table lives equally long, so insertion order is expiry order and one
// timer sweeps the table from the front.
import type { Destination } from '../types';

/** How a message that matches a lingering key is handled. */
export type LingerKind = 'server-accepted' | 'server-completed' | 'client-accepted' | 'client-completed';

export interface Lingering {
  kind: LingerKind;
  /** Date.now() after which the key is forgotten. */
  expiresAt: number;
  /** Server non-INVITE: the final response as sent; client INVITE after a non-2xx: the ACK. */
  resend?: { raw: Buffer; dest: Destination };
  /** Key of the §8.2.2.2 merged-request check, dropped with this entry. */
  mergeKey?: string;
}

/** Coalesce expiries: one sweep per this many ms at most. */
const SWEEP_GRANULARITY_MS = 50;

/** Keyed entries that all live `durationMs`; `V` carries its own expiry time. */
export class LingerTable<V extends { expiresAt: number } = Lingering> {
  private readonly entries = new Map<string, V>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly durationMs: number,
    private readonly onExpire: (key: string, entry: V) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  add(key: string, entry: Omit<V, 'expiresAt'>): void {
    // Re-adding moves the key to the back: the order stays the order of expiry.
    this.entries.delete(key);
    this.entries.set(key, { ...entry, expiresAt: this.now() + this.durationMs } as V);
    this.schedule();
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    const first = this.entries.values().next();
    if (first.done) return;
    const wait = Math.max(first.value.expiresAt - this.now(), 0) + SWEEP_GRANULARITY_MS;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, wait);
    this.timer.unref?.();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
      this.onExpire(key, entry);
    }
    this.schedule();
  }
}
