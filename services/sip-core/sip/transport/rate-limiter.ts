// Per-source token buckets: a flood from one address is dropped early and
// counted, without slowing down anybody else.

export interface RateLimit {
  /** Sustained messages per second allowed from one source address. */
  perSecond: number;
  /** Bucket size: messages a source may send in a burst. */
  burst: number;
}

export const defaultRateLimit: RateLimit = { perSecond: 2000, burst: 4000 };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweepAt = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take one token for `source`; false when its bucket is empty. */
  allow(source: string): boolean {
    const t = this.now();
    this.sweep(t);
    const b = this.buckets.get(source);
    if (!b) {
      this.buckets.set(source, { tokens: this.limit.burst - 1, at: t });
      return true;
    }
    b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.perSecond);
    b.at = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get sources(): number {
    return this.buckets.size;
  }

  /** Forget full buckets now and then, so a scan over many addresses does not grow memory. */
  private sweep(t: number): void {
    if (t < this.sweepAt) return;
    this.sweepAt = t + 10_000;
    const refill = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (t - b.at > refill) this.buckets.delete(k);
  }
}
