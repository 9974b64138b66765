/** Counts failures per key in a sliding window; in memory, per api process. */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: Date): number[] {
    const since = now.getTime() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  fail(key: string, now: Date): void {
    const list = this.recent(key, now);
    list.push(now.getTime());
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }

  blocked(key: string, now: Date): boolean {
    return this.recent(key, now).length >= this.max;
  }
}
