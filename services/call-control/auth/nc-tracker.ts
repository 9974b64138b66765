// Replay protection for qop=auth (RFC 7616 §3.4 and §5.12 "Replay Attacks"):
// a nonce-count value may be used only once per nonce. Requests over UDP can
// arrive out of order, so instead of "strictly increasing" we remember every
// nc seen for a nonce (bounded). Entries leave when their nonce expires; if
// memory pressure forces earlier eviction, a watermark makes every nonce
// issued before the evicted one count as stale, so eviction can never let a
// replay through.

export interface NcTrackerOptions {
  ttlMs: number;
  maxNonces: number;
  maxCountsPerNonce: number;
}

interface Entry {
  issuedAt: number;
  seen: Set<number>;
}

export type NcVerdict = 'fresh' | 'replay' | 'exhausted' | 'forgotten';

export class NcTracker {
  private readonly entries = new Map<string, Entry>();
  /** Nonces issued at or before this time and not tracked are treated as stale. */
  private evictedUpTo = -Infinity;

  constructor(private readonly opts: NcTrackerOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Records `nc` for `nonce`; says whether it was new. */
  use(nonce: string, issuedAt: number, nc: number, now: number): NcVerdict {
    this.sweep(now);
    let entry = this.entries.get(nonce);
    if (!entry) {
      if (issuedAt <= this.evictedUpTo) return 'forgotten';
      entry = { issuedAt, seen: new Set() };
      this.entries.set(nonce, entry);
      this.evictOverflow();
    }
    if (entry.seen.has(nc)) return 'replay';
    if (entry.seen.size >= this.opts.maxCountsPerNonce) return 'exhausted';
    entry.seen.add(nc);
    return 'fresh';
  }

  private sweep(now: number): void {
    // Insertion order is first-use order, close to issue order: stop at the first live one.
    for (const [nonce, entry] of this.entries) {
      if (now - entry.issuedAt <= this.opts.ttlMs) break;
      this.entries.delete(nonce);
    }
  }

  private evictOverflow(): void {
    while (this.entries.size > this.opts.maxNonces) {
      const first = this.entries.entries().next().value;
      if (!first) return;
      const [nonce, entry] = first;
      this.entries.delete(nonce);
      this.evictedUpTo = Math.max(this.evictedUpTo, entry.issuedAt);
    }
  }
}
