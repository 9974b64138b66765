// Sign-in throttling that cannot be raced (issue 16, items 6 and 12).
//
// Every attempt is *reserved* synchronously, before any await: the counters
// are checked and incremented in one step of the event loop, so a hundred
// simultaneous requests cannot all pass a check made before the first of
// them has finished hashing. A reservation counts as a failure until the
// password turns out right, when it is withdrawn.
//
// Three windows:
//  - per source (an IPv4 address or an IPv6 /64): `perSource` attempts,
//    whatever the user name; over it the answer is 429 without hashing, so a
//    burst from one address costs the box almost nothing;
//  - per (account, source): `perAccountSource` failures lock that account
//    for that source only, so anyone on the internet cannot lock `admin`
//    out for its owner;
//  - per account, from all sources: `perAccount` failures (many more) lock
//    the account for everyone — the brake on a distributed guess.
// And at most `concurrent` hashes in flight per source (one: on a 2-core box
// a second would halve a legitimate sign-in's share) with a short queue;
// beyond it 429 without hashing, so one address cannot take the thread
// pool from a legitimate sign-in elsewhere.
import net from 'node:net';

export interface SignInLimits {
  perSource: number;
  perAccountSource: number;
  perAccount: number;
  windowMs: number;
  concurrent: number;
  queued: number;
}

/** Sliding-window counters whose entries can be withdrawn. In memory, per api process. */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly windowMs: number) {}

  count(key: string, now: number): number {
    const list = this.hits.get(key);
    if (!list) return 0;
    const since = now - this.windowMs;
    while (list.length > 0 && list[0]! <= since) list.shift();
    if (list.length === 0) this.hits.delete(key);
    return list.length;
  }

  add(key: string, now: number): void {
    const list = this.hits.get(key) ?? [];
    list.push(now);
    this.hits.set(key, list);
    // Bounded: an address sweep cannot grow this without limit.
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value!);
  }

  withdraw(key: string, at: number): void {
    const list = this.hits.get(key);
    const i = list?.lastIndexOf(at) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }
}

/** IPv6 sources are counted per /64: one subscriber usually holds a whole /64. */
export function sourceKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!net.isIPv6(ip)) return ip;
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const full = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${full.slice(0, 4).map((x) => x.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export type Reservation =
  | { kind: 'over-limit' }
  | { kind: 'locked'; source: string; release(): void }
  | { kind: 'go'; source: string; succeeded(): void; failed(): { sourceLocked: boolean; accountLocked: boolean }; release(): void };

export class SignInGuard {
  private readonly source: SlidingWindow;
  private readonly accountSource: SlidingWindow;
  private readonly account: SlidingWindow;
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limits: SignInLimits) {
    this.source = new SlidingWindow(limits.windowMs);
    this.accountSource = new SlidingWindow(limits.windowMs);
    this.account = new SlidingWindow(limits.windowMs);
  }

  /**
   * Reserves one attempt, synchronously. `accountId` is null for an unknown
   * user name; `lockedInStore` is the account-wide lock kept in the database.
   */
  reserve(ip: string, accountId: number | null, lockedInStore: boolean, nowMs: number): Reservation {
    const source = sourceKey(ip);
    const queue = (this.inFlight.get(source) ?? 0) + (this.waiting.get(source)?.length ?? 0);
    if (this.source.count(source, nowMs) >= this.limits.perSource || queue >= this.limits.concurrent + this.limits.queued) return { kind: 'over-limit' };
    this.source.add(source, nowMs);
    const release = () => this.leave(source);
    if (accountId === null) {
      return { kind: 'go', source, succeeded: () => undefined, failed: () => ({ sourceLocked: false, accountLocked: false }), release };
    }
    const pair = `${accountId}|${source}`;
    const acct = String(accountId);
    if (lockedInStore || this.accountSource.count(pair, nowMs) >= this.limits.perAccountSource || this.account.count(acct, nowMs) >= this.limits.perAccount) {
      return { kind: 'locked', source, release };
    }
    this.accountSource.add(pair, nowMs);
    this.account.add(acct, nowMs);
    return {
      kind: 'go',
      source,
      release,
      succeeded: () => {
        this.source.withdraw(source, nowMs);
        this.account.withdraw(acct, nowMs);
        // The right password from this source: its earlier typos are forgiven.
        this.accountSource.clear(pair);
      },
      failed: () => ({
        sourceLocked: this.accountSource.count(pair, Date.now()) >= this.limits.perAccountSource,
        accountLocked: this.account.count(acct, Date.now()) >= this.limits.perAccount,
      }),
    };
  }

  /** Waits for one of this source's hashing slots; call the reservation's release() after hashing. */
  async enter(source: string): Promise<void> {
    const n = this.inFlight.get(source) ?? 0;
    if (n < this.limits.concurrent) {
      this.inFlight.set(source, n + 1);
      return;
    }
    await new Promise<void>((resolve) => {
      const q = this.waiting.get(source) ?? [];
      q.push(resolve);
      this.waiting.set(source, q);
    });
  }

  private leave(source: string): void {
    const q = this.waiting.get(source);
    const next = q?.shift();
    if (q && q.length === 0) this.waiting.delete(source);
    // The slot passes straight to the next waiter: in-flight stays the same.
    if (next) return next();
    const n = (this.inFlight.get(source) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(source);
    else this.inFlight.set(source, n);
  }
}
