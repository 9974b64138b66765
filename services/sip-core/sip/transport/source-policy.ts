// Who may cost sip-core work, decided as early and as cheaply as possible
// (issue 16 items 7 and 8). Trusted networks (this box, the admin's office)
// are never budgeted. Everyone else:
//  - a source call-control has banned is silenced: its packets are dropped
//    before parsing, it gets no answer at all (a scanner learns nothing);
//  - sources not yet authenticated, i.e. never answered 2xx (scanners,
//    floods, spoofed addresses, a phone's first REGISTER), share a per-source
//    and a global token bucket; a source over its own budget is shed before
//    parsing for `shedMs`, so a flood from one address costs a map lookup per
//    packet instead of a parse, a transaction and the app's work; over the
//    global budget every unauthenticated source is shed for a moment;
//  - sources we have answered 2xx (registered phones, trunks) are "known":
//    outside these budgets (the per-source rate limit still holds) and
//    allowed the TCP capacity kept in reserve.
// Every table here is bounded: a scan over many addresses cannot grow memory.
import net from 'node:net';
import { RateLimiter, type RateLimit } from './rate-limiter';

export interface SourcePolicyOptions {
  /** CIDR blocks or addresses never budgeted, shed or silenced. */
  trusted: readonly string[];
  unauthenticatedPerSource: RateLimit;
  unauthenticatedGlobal: RateLimit;
  shedMs: number;
  /** How many addresses each table keeps (oldest forgotten first). */
  maxTracked?: number;
  /** How long a source stays known after its last 2xx. */
  knownMs?: number;
  now?: () => number;
}

export type UnauthenticatedVerdict = 'ok' | 'source-over-budget' | 'global-over-budget';

const DEFAULT_MAX_TRACKED = 100_000;
/** Over the global budget, unauthenticated sources are dropped unread this long. */
const GLOBAL_SHED_MS = 200;
const DEFAULT_KNOWN_MS = 24 * 3_600_000;

/** Parses `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32` into a BlockList; throws RangeError on garbage. */
export function blockListOf(blocks: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const block of blocks) {
    const [addr = '', bits] = block.split('/');
    const type = net.isIPv6(addr) ? 'ipv6' : net.isIPv4(addr) ? 'ipv4' : undefined;
    if (!type) throw new RangeError(`not an IP address or CIDR block: ${block}`);
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv6' ? 128 : 32)) throw new RangeError(`bad prefix length: ${block}`);
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

/** The IPv4 /24 or IPv6 /64 an address belongs to: one customer's (or one attacker's) network. */
export function subnetKey(address: string): string {
  if (net.isIPv4(address)) return address.slice(0, address.lastIndexOf('.')) + '.0/24';
  if (!net.isIPv6(address)) return address;
  // Expand `::` so the first four groups are the /64 whatever the spelling.
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

/** A Map kept to `max` entries by dropping the oldest insertions. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.max) {
      const oldest = this.keys().next().value;
      if (oldest === undefined) break;
      super.delete(oldest);
    }
    return this;
  }
}

export class SourcePolicy {
  private readonly trusted: net.BlockList;
  private readonly perSource: RateLimiter;
  private readonly global: RateLimiter;
  private readonly silencedUntil: BoundedMap<number>;
  private readonly shedUntil: BoundedMap<number>;
  private readonly knownUntil: BoundedMap<number>;
  private readonly now: () => number;
  private readonly knownMs: number;
  private globalShedUntil = 0;
  readonly counters = { shedBeforeParse: 0, silenced: 0, unauthenticatedShed: 0, globalShed: 0 };

  constructor(private readonly opts: SourcePolicyOptions) {
    this.now = opts.now ?? Date.now;
    this.trusted = blockListOf(opts.trusted);
    this.perSource = new RateLimiter(opts.unauthenticatedPerSource, this.now);
    this.global = new RateLimiter(opts.unauthenticatedGlobal, this.now);
    const max = opts.maxTracked ?? DEFAULT_MAX_TRACKED;
    this.silencedUntil = new BoundedMap(max);
    this.shedUntil = new BoundedMap(max);
    this.knownUntil = new BoundedMap(max);
    this.knownMs = opts.knownMs ?? DEFAULT_KNOWN_MS;
  }

  isTrusted(address: string): boolean {
    return this.trusted.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
  }

  /** True when a packet from `address` must be dropped unread (silenced or shed). */
  dropBeforeParse(address: string): boolean {
    if (this.silencedUntil.size === 0 && this.shedUntil.size === 0 && this.globalShedUntil === 0) return false;
    const t = this.now();
    if (expiring(this.silencedUntil, address, t)) {
      this.counters.silenced++;
      return true;
    }
    if (expiring(this.shedUntil, address, t)) {
      this.counters.shedBeforeParse++;
      return true;
    }
    if (this.globalShedUntil !== 0) {
      if (this.globalShedUntil <= t) this.globalShedUntil = 0;
      else if (!this.isKnown(address)) {
        this.counters.shedBeforeParse++;
        return true;
      }
    }
    return false;
  }

  /** A parsed request: may it cost us a transaction and the app's work? Known and trusted sources may. */
  admitRequest(address: string): UnauthenticatedVerdict {
    if (this.isKnown(address)) return 'ok';
    if (!this.perSource.allow(address)) {
      this.counters.unauthenticatedShed++;
      this.shedUntil.set(address, this.now() + this.opts.shedMs);
      return 'source-over-budget';
    }
    if (!this.global.allow('*')) {
      this.counters.globalShed++;
      this.globalShedUntil = this.now() + GLOBAL_SHED_MS;
      return 'global-over-budget';
    }
    return 'ok';
  }

  /** call-control answered this source as banned: say nothing to it for `ms`. False for a trusted source (it is told 403). */
  silence(address: string, ms: number): boolean {
    if (this.isTrusted(address)) return false;
    this.silencedUntil.set(address, this.now() + ms);
    return true;
  }

  /** We answered this source 2xx (a registration, a call): it may use reserved capacity. */
  markKnown(address: string): void {
    this.knownUntil.set(address, this.now() + this.knownMs);
  }

  isKnown(address: string): boolean {
    return this.isTrusted(address) || expiring(this.knownUntil, address, this.now());
  }

  get tracked(): { silencedSources: number; shedSources: number; knownSources: number } {
    return { silencedSources: this.silencedUntil.size, shedSources: this.shedUntil.size, knownSources: this.knownUntil.size };
  }
}

/** True while `key`'s deadline is ahead; an expired entry is removed on the way. */
function expiring(map: Map<string, number>, key: string, t: number): boolean {
  const until = map.get(key);
  if (until === undefined) return false;
  if (until > t) return true;
  map.delete(key);
  return false;
}
