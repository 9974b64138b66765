// Failed-authentication counting per source IP with timed bans: every public
// PBX is hit by SIP scanners (friendly-scanner, sipvicious, …) trying
// extension/password pairs. A source with `maxFailures` failures inside a
// sliding `windowMs` is banned for `banMs`; each repeat offence within
// `offenceMemoryMs` doubles the ban up to `maxBanMs`. Memory is bounded: at
// most `maxSources` addresses are tracked, the least recently active go
// first. The clock is injected so tests (and the API's "until") are exact.
// With a store (store/repos/sip-bans.ts) bans survive restarts and are shared
// between processes: call-control bans, the api lists and lifts through its
// own BanList on the same file, and call-control's periodic `sync()` (every
// few seconds) picks the lift up.
//
// Issue 16 item 3: a ban must not be something a spoofed datagram can cause
// or make expensive. Callers count only failures that prove a round trip
// (auth/digest.ts); `trusted` (trunk addresses) and `allow` (configured
// networks) are never banned; automatic bans are written in batches on a
// timer, one commit for all, never one fsync per ban on the SIP loop; expired
// rows are purged and the table is kept to `maxStoredBans` rows.
import net from 'node:net';
import type { Logger } from '../../common/logger';
import { banNotFound, invalidBanDuration, invalidIp } from '../errors';

export interface BanListOptions {
  maxFailures: number;
  windowMs: number;
  banMs: number;
  maxBanMs: number;
  offenceMemoryMs: number;
  maxSources: number;
  /** Addresses or CIDR blocks never banned (trunk providers, the admin's office). */
  allow: string[];
  /** Automatic bans wait this long to be written together (one commit per batch). */
  flushDelayMs: number;
  /** Rows kept in the store at most (oldest bans go first when a scan exceeds it). */
  maxStoredBans: number;
  /** How often expired rows are purged from the store. */
  purgeEveryMs: number;
}

export const BAN_LIST_DEFAULTS: BanListOptions = {
  maxFailures: 10,
  windowMs: 60_000,
  banMs: 15 * 60_000,
  maxBanMs: 24 * 3_600_000,
  offenceMemoryMs: 24 * 3_600_000,
  maxSources: 100_000,
  allow: ['127.0.0.0/8', '::1/128'],
  flushDelayMs: 250,
  maxStoredBans: 10_000,
  purgeEveryMs: 60_000,
};

export interface BanEntry {
  ip: string;
  since: number;
  until: number;
  reason: string;
  failures: number;
  offences: number;
  lastUsername?: string;
}

interface Source {
  failures: number[]; // timestamps inside the window, oldest first
  offences: number;
  lastOffence: number;
  ban?: { since: number; until: number; reason: string; failures: number };
  /** The ban could not be written to the store yet; sync retries instead of treating it as lifted. */
  unsaved?: boolean;
  lastUsername?: string;
}

/** Shared, persistent bans; SipBansRepo implements it. */
export interface BanStore {
  save(entry: BanEntry): void;
  /** Several bans in one transaction (one commit); falls back to save() one by one. */
  saveMany?(entries: BanEntry[]): void;
  /** Deletes expired rows, then the oldest beyond `maxRows`; returns how many went. */
  purge?(now: number, maxRows: number): number;
  /** Removes and returns the ban of `ip` if it is active at `now`. */
  remove(ip: string, now: number): BanEntry | undefined;
  active(now: number): BanEntry[];
}

export type FailureVerdict = { banned: false; failures: number } | { banned: true; until: number; newlyBanned: boolean };

const MAX_MANUAL_BAN_MS = 30 * 24 * 3_600_000;

/** `::ffff:1.2.3.4` and `1.2.3.4` are the same phone. */
export function normaliseIp(value: string): string {
  const v = value.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
  const ip = mapped?.[1] ?? v;
  const family = net.isIP(ip);
  if (family === 0) throw invalidIp(value);
  return family === 6 ? ip.toLowerCase() : ip;
}

export class BanList {
  private readonly opts: BanListOptions;
  private readonly sources = new Map<string, Source>();
  private readonly allow = new net.BlockList();
  /** Automatic bans not yet written (flushed together on a timer). */
  private readonly unsaved = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private purgedAt = -Infinity;

  constructor(
    private readonly deps: {
      now: () => number;
      log: Logger;
      store?: BanStore;
      /** Addresses never banned that change at run time: the trunks' signalling sources. */
      trusted?: (ip: string) => boolean;
    },
    opts: Partial<BanListOptions> = {},
  ) {
    this.opts = { ...BAN_LIST_DEFAULTS, ...opts };
    for (const block of this.opts.allow) this.addAllow(block);
    this.sync();
  }

  /**
   * Aligns memory with the store: bans made elsewhere (another process, the
   * api) appear, bans lifted elsewhere disappear. A no-op without a store.
   */
  sync(): void {
    const store = this.deps.store;
    if (!store) return;
    this.flush();
    const now = this.deps.now();
    if (store.purge && now - this.purgedAt >= this.opts.purgeEveryMs) {
      this.purgedAt = now;
      try {
        const purged = store.purge(now, this.opts.maxStoredBans);
        if (purged > 0) this.deps.log.info('expired bans purged', { purged });
      } catch (err) {
        this.deps.log.error('could not purge bans', { err });
      }
    }
    const shared = new Map(store.active(now).map((e) => [e.ip, e]));
    for (const [ip, e] of shared) {
      const src = this.sources.get(ip) ?? this.touch(ip);
      if (src.ban?.until !== e.until) src.ban = { since: e.since, until: e.until, reason: e.reason, failures: e.failures };
      src.offences = Math.max(src.offences, e.offences);
      src.lastOffence = Math.max(src.lastOffence, e.since);
      if (e.lastUsername !== undefined) src.lastUsername = e.lastUsername;
    }
    for (const [ip, src] of this.sources) {
      if (this.activeBan(ip, now) && !shared.has(ip)) {
        if (src.unsaved) {
          this.persist(ip, src);
          continue;
        }
        delete src.ban;
        src.failures = [];
        this.deps.log.info('ban lifted elsewhere', { ip });
      }
    }
  }

  /** Call on every failed authentication (digest result with countsAsFailure). */
  recordFailure(ipText: string, detail: { username?: string } = {}): FailureVerdict {
    const ip = normaliseIp(ipText);
    const now = this.deps.now();
    const current = this.activeBan(ip, now);
    if (current) return { banned: true, until: current.until, newlyBanned: false };
    if (this.isAllowed(ip) || this.deps.trusted?.(ip)) return { banned: false, failures: 0 };
    const src = this.touch(ip);
    if (detail.username !== undefined) src.lastUsername = detail.username.slice(0, 64);
    src.failures = src.failures.filter((t) => now - t < this.opts.windowMs);
    src.failures.push(now);
    if (src.failures.length < this.opts.maxFailures) return { banned: false, failures: src.failures.length };
    if (now - src.lastOffence > this.opts.offenceMemoryMs) src.offences = 0;
    src.offences++;
    src.lastOffence = now;
    const duration = Math.min(this.opts.banMs * 2 ** (src.offences - 1), this.opts.maxBanMs);
    const failures = src.failures.length;
    src.ban = { since: now, until: now + duration, reason: `${failures} failed authentications in ${this.opts.windowMs / 1000} s`, failures };
    // A new window starts after the ban, so one more failure does not re-ban at once.
    src.failures = [];
    this.deps.log.warn('source banned', { ip, failures, offences: src.offences, until: new Date(src.ban.until).toISOString(), lastUsername: src.lastUsername });
    this.persist(ip, src);
    return { banned: true, until: src.ban.until, newlyBanned: true };
  }

  /** Cheap check before any work on a request from `ip`. */
  isBanned(ipText: string): boolean {
    return this.bannedForMs(ipText) > 0;
  }

  /** How long `ip` stays banned, in ms (0: not banned). */
  bannedForMs(ipText: string): number {
    const now = this.deps.now();
    const ban = this.activeBan(normaliseIp(ipText), now);
    return ban ? ban.until - now : 0;
  }

  /** Writes the automatic bans waiting for the next batch now (stop, tests). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const store = this.deps.store;
    if (!store || this.unsaved.size === 0) return;
    const entries: BanEntry[] = [];
    for (const ip of this.unsaved) {
      const src = this.sources.get(ip);
      if (src?.ban) entries.push(this.entry(ip, src));
    }
    try {
      if (store.saveMany) store.saveMany(entries);
      else for (const e of entries) store.save(e);
      for (const e of entries) {
        const src = this.sources.get(e.ip);
        if (src) delete src.unsaved;
      }
      this.unsaved.clear();
    } catch (err) {
      // The bans hold here; sync() retries the write.
      this.deps.log.error('could not store bans', { bans: entries.length, err });
    }
  }

  /** Manual ban from the API. */
  ban(ipText: string, durationMs: number, reason = 'banned by administrator'): BanEntry {
    const ip = normaliseIp(ipText);
    if (!Number.isFinite(durationMs) || durationMs < 1000 || durationMs > MAX_MANUAL_BAN_MS) throw invalidBanDuration(durationMs);
    const now = this.deps.now();
    const prev = this.sources.get(ip);
    const ban = { since: now, until: now + durationMs, reason: reason.slice(0, 200), failures: prev?.failures.length ?? 0 };
    const entry: BanEntry = { ip, ...ban, offences: prev?.offences ?? 0 };
    if (prev?.lastUsername !== undefined) entry.lastUsername = prev.lastUsername;
    // The administrator's ban must reach the other processes: a failed write is an error, and changes nothing.
    this.deps.store?.save(entry);
    this.touch(ip).ban = ban;
    this.deps.log.info('source banned by administrator', { ip, until: new Date(ban.until).toISOString() });
    return entry;
  }

  /** Lifts a ban and forgets the source's history; 404 `ban-not-found` when not banned. */
  lift(ipText: string): BanEntry {
    const ip = normaliseIp(ipText);
    const now = this.deps.now();
    const src = this.sources.get(ip);
    const mine = src && this.activeBan(ip, now) ? this.entry(ip, src) : undefined;
    const shared = this.deps.store?.remove(ip, now);
    const lifted = shared ?? mine;
    if (!lifted) throw banNotFound(ip);
    this.sources.delete(ip);
    this.unsaved.delete(ip);
    this.deps.log.info('ban lifted', { ip });
    return lifted;
  }

  /** Current bans, the latest first (with a store: of every process). */
  list(): BanEntry[] {
    this.sync();
    const now = this.deps.now();
    const out: BanEntry[] = [];
    for (const [ip, src] of this.sources) if (this.activeBan(ip, now)) out.push(this.entry(ip, src));
    return out.sort((a, b) => b.since - a.since);
  }

  get trackedSources(): number {
    return this.sources.size;
  }

  /**
   * Automatic bans are queued and written in one batch a moment later (the
   * store's commit is an fsync: one per batch, not one per ban on the SIP
   * loop). Until then, and after a failed write, the ban holds here and
   * sync() keeps it (unsaved) instead of taking it for lifted.
   */
  private persist(ip: string, src: Source): void {
    if (!this.deps.store) return;
    src.unsaved = true;
    this.unsaved.add(ip);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.opts.flushDelayMs);
      this.flushTimer.unref();
    }
  }

  private activeBan(ip: string, now: number): Source['ban'] {
    const ban = this.sources.get(ip)?.ban;
    return ban && ban.until > now ? ban : undefined;
  }

  private isAllowed(ip: string): boolean {
    return this.allow.check(ip, net.isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  }

  /** Gets or creates a source and marks it most recently active. */
  private touch(ip: string): Source {
    const src = this.sources.get(ip) ?? { failures: [], offences: 0, lastOffence: -Infinity };
    this.sources.delete(ip);
    this.sources.set(ip, src);
    while (this.sources.size > this.opts.maxSources) {
      const oldest = this.sources.keys().next().value;
      if (oldest === undefined) break;
      this.sources.delete(oldest);
    }
    return src;
  }

  private entry(ip: string, src: Source): BanEntry {
    const ban = src.ban!;
    const e: BanEntry = { ip, since: ban.since, until: ban.until, reason: ban.reason, failures: ban.failures, offences: src.offences };
    if (src.lastUsername !== undefined) e.lastUsername = src.lastUsername;
    return e;
  }

  private addAllow(block: string): void {
    const [addr = '', bits] = block.split('/');
    const ip = normaliseIp(addr);
    const type = net.isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) this.allow.addAddress(ip, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv6' ? 128 : 32)) throw invalidIp(block);
      this.allow.addSubnet(ip, prefix, type);
    }
  }
}
