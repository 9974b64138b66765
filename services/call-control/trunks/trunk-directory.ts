// The trunks call-control works with, read from the store: every enabled
// trunk with its SIP password opened (the api sealed it with the SecretBox
// keyed from the appliance master key), and the source addresses its
// requests arrive from, so an INVITE without credentials can be recognised
// as the operator's (an IP trunk by its `addresses`, a registering trunk by
// its registrar host's resolved addresses: operators send calls from there).
//
// Shared by the call flows (outbound failover, inbound DIDs) and by trunk
// registration and OPTIONS keepalive. The table is re-read only when it
// changed (TrunksRepo.version(), checked at most every `checkIntervalMs`),
// and change listeners hear about it, so an admin's edit takes effect on the
// next call without a restart.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { SecretBox, TRUNK_PASSWORD } from '../../common/secret-box';
import type { Logger } from '../../common/logger';
import { loadMasterKey } from '../../common/keys';
import type { Trunk } from '../../store';
import { normaliseIp } from '../registrar/ban-list';
import { effectiveChannelLimit } from './trunk-channels';

/** What the directory needs of the store's TrunksRepo. */
export interface TrunkSource {
  list(tenantId?: number): Trunk[];
  sealedPassword(id: number): string | null;
  version(): string;
}

export interface DirectoryTrunk {
  readonly id: number;
  readonly tenantId: number;
  readonly name: string;
  readonly kind: Trunk['kind'];
  /** Where requests to the operator go (registrar or proxy); for an IP trunk without one, its first address. */
  readonly host: string | null;
  readonly port: number;
  readonly transport: Trunk['transport'];
  readonly username: string | null;
  /** The opened SIP password; absent when none is stored or it does not open (see passwordError). */
  readonly password?: string;
  readonly passwordError?: 'secret-unreadable';
  readonly registerExpiry: number;
  readonly addresses: readonly string[];
  readonly optionsInterval: number;
  /** Concurrent calls in both directions, the effective limit (an IP trunk's default included: trunk-channels.ts); 0 means no limit. */
  readonly channelLimit: number;
  readonly outboundCallerId: string;
  readonly updatedAt: string;
  /** Normalised IP addresses this trunk's requests come from (addresses plus the host's resolved ones). */
  readonly sources: readonly string[];
}

export interface TrunkDirectoryDeps {
  trunks: TrunkSource;
  /** The SecretBox for trunk passwords; called only when a trunk has one. */
  secrets: () => SecretBox;
  /** Host name → IP addresses; defaults to the system resolver (getaddrinfo, as the SIP stack sends). */
  resolve?: (host: string) => Promise<string[]>;
  now?: () => number;
  /** Channels of an IP trunk that sets none (config calls.ipTrunkChannels); absent or 0: unlimited. */
  ipChannelLimit?: number;
  log: Logger;
}

export interface TrunkDirectoryOptions {
  /** The table's fingerprint is read at most this often; 0 checks on every access. */
  checkIntervalMs?: number;
  /** Resolved host addresses are looked up again after this long. */
  dnsRefreshMs?: number;
}

export type TrunkDirectoryListener = (trunks: readonly DirectoryTrunk[]) => void;

const systemResolve = async (host: string): Promise<string[]> => (await lookup(host, { all: true })).map((a) => a.address);

interface Resolved {
  addresses: string[];
  at: number;
}

export class TrunkDirectory {
  private trunks: DirectoryTrunk[] = [];
  private version: string | undefined;
  private checkedAt = -Infinity;
  private readonly resolved = new Map<string, Resolved>();
  private readonly resolving = new Map<string, Promise<void>>();
  private readonly listeners = new Set<TrunkDirectoryListener>();
  private readonly checkIntervalMs: number;
  private readonly dnsRefreshMs: number;
  private readonly now: () => number;
  private readonly resolveHost: (host: string) => Promise<string[]>;

  constructor(
    private readonly deps: TrunkDirectoryDeps,
    opts: TrunkDirectoryOptions = {},
  ) {
    this.checkIntervalMs = opts.checkIntervalMs ?? 1000;
    this.dnsRefreshMs = opts.dnsRefreshMs ?? 300_000;
    this.now = deps.now ?? Date.now;
    this.resolveHost = deps.resolve ?? systemResolve;
  }

  /** Enabled trunks, of one tenant or of all, ordered by tenant and name. */
  list(tenantId?: number): readonly DirectoryTrunk[] {
    const all = this.current();
    return tenantId === undefined ? all : all.filter((t) => t.tenantId === tenantId);
  }

  get(id: number): DirectoryTrunk | undefined {
    return this.current().find((t) => t.id === id);
  }

  /**
   * A trunk as an outbound route names it: by the trunks table's id in
   * decimal (`"3"`, what the admin UI stores: it survives a rename), or by
   * its name (routes written by hand). Only the tenant's own enabled trunks.
   */
  byRef(tenantId: number, ref: string): DirectoryTrunk | undefined {
    const mine = this.list(tenantId);
    if (/^[1-9]\d*$/.test(ref)) {
      const byId = mine.find((t) => t.id === Number(ref));
      if (byId) return byId;
    }
    return mine.find((t) => t.name === ref);
  }

  /**
   * Every enabled trunk a request from `address` (and `port`) may come
   * from, best first: the trunk whose own host and port it is, then by
   * address alone; ties by id. Several tenants may share an operator, so the
   * caller picks among them (an inbound call by its DID's tenant).
   */
  candidates(address: string, port?: number): DirectoryTrunk[] {
    let ip: string;
    try {
      ip = normaliseIp(address);
    } catch {
      return [];
    }
    const score = (t: DirectoryTrunk) => (port !== undefined && t.port === port && this.hostAddresses(t).includes(ip) ? 0 : 1);
    return this.current()
      .filter((t) => t.sources.includes(ip))
      .sort((a, b) => score(a) - score(b) || a.id - b.id);
  }

  /** True when `address:port` is the trunk's own host and port (where we send it requests), not just one of its addresses. */
  isTrunkEndpoint(trunk: DirectoryTrunk, address: string, port: number): boolean {
    try {
      return trunk.port === port && this.hostAddresses(trunk).includes(normaliseIp(address));
    } catch {
      return false;
    }
  }

  /** The best trunk for a request's source, undefined for anyone else. */
  fromSource(address: string, port?: number): DirectoryTrunk | undefined {
    return this.candidates(address, port)[0];
  }

  /** Re-reads the table now if it changed; true when it did (listeners have been told). */
  check(): boolean {
    this.checkedAt = this.now();
    const version = this.deps.trunks.version();
    if (version === this.version) return false;
    this.version = version;
    this.trunks = this.load();
    this.resolveHosts();
    this.notify();
    return true;
  }

  /** Re-reads the table and resolves every host name again; resolves when the addresses are known. */
  async refresh(): Promise<readonly DirectoryTrunk[]> {
    this.version = undefined;
    // Stale, not forgotten: a host that stops resolving keeps the addresses it had.
    for (const r of this.resolved.values()) r.at = -Infinity;
    this.check();
    await Promise.all(this.resolving.values());
    return this.trunks;
  }

  /** Resolves once every host name of the current trunks has been looked up (for start-up and tests). */
  async ready(): Promise<readonly DirectoryTrunk[]> {
    this.current();
    await Promise.all(this.resolving.values());
    return this.trunks;
  }

  /** Called after each change of the enabled trunks (and of their resolved addresses). */
  onChange(listener: TrunkDirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private current(): DirectoryTrunk[] {
    if (this.version === undefined || this.now() - this.checkedAt >= this.checkIntervalMs) this.check();
    else this.resolveHosts(); // stale DNS answers are refreshed in the background
    return this.trunks;
  }

  private notify(): void {
    for (const l of this.listeners) {
      try {
        l(this.trunks);
      } catch (err) {
        this.deps.log.error('trunk directory listener failed', { err: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private load(): DirectoryTrunk[] {
    return this.deps.trunks
      .list()
      .filter((t) => t.enabled)
      .map((t) => Object.freeze(this.entry(t)));
  }

  private entry(t: Trunk): DirectoryTrunk {
    const host = t.host ?? t.addresses[0] ?? null;
    const opened = t.hasPassword ? this.openPassword(t) : {};
    const base = {
      id: t.id,
      tenantId: t.tenantId,
      name: t.name,
      kind: t.kind,
      host,
      port: t.port,
      transport: t.transport,
      username: t.username,
      registerExpiry: t.registerExpiry,
      addresses: Object.freeze([...t.addresses]),
      optionsInterval: t.optionsInterval,
      channelLimit: effectiveChannelLimit(t, this.deps.ipChannelLimit ?? 0),
      outboundCallerId: t.outboundCallerId,
      updatedAt: t.updatedAt,
      ...opened,
    };
    return { ...base, sources: Object.freeze(this.sourcesOf(base)) };
  }

  private openPassword(t: Trunk): { password?: string; passwordError?: 'secret-unreadable' } {
    const sealed = this.deps.trunks.sealedPassword(t.id);
    if (sealed === null) return {};
    try {
      return { password: this.deps.secrets().open(sealed, TRUNK_PASSWORD.aad(t.tenantId)) };
    } catch (err) {
      // A restored database without its master key, or an altered value: the trunk stays usable without credentials.
      this.deps.log.error('trunk password does not open', { trunkId: t.id, tenantId: t.tenantId, err: err instanceof Error ? err.message : String(err) });
      return { passwordError: 'secret-unreadable' };
    }
  }

  private hostAddresses(t: Pick<DirectoryTrunk, 'host'>): string[] {
    if (t.host === null) return [];
    if (net.isIP(t.host) !== 0) return [normaliseIp(t.host)];
    return this.resolved.get(t.host.toLowerCase())?.addresses ?? [];
  }

  private sourcesOf(t: Pick<DirectoryTrunk, 'host' | 'addresses'>): string[] {
    const out = new Set<string>();
    for (const a of t.addresses) {
      try {
        out.add(normaliseIp(a));
      } catch {
        // The api validates addresses; a bad one written by hand is skipped, not fatal.
      }
    }
    for (const a of this.hostAddresses(t)) out.add(a);
    return [...out];
  }

  /** Looks up host names not yet (or too long ago) resolved; rebuilds the sources when an answer changes them. */
  private resolveHosts(): void {
    const now = this.now();
    for (const t of this.trunks) {
      if (t.host === null || net.isIP(t.host) !== 0) continue;
      const host = t.host.toLowerCase();
      const known = this.resolved.get(host);
      if ((known && now - known.at < this.dnsRefreshMs) || this.resolving.has(host)) continue;
      const job = this.resolveHost(host)
        .then(
          (found) => found.flatMap((a) => (net.isIP(a) !== 0 ? [normaliseIp(a)] : [])),
          (err: unknown) => {
            this.deps.log.warn('trunk host does not resolve', { host, err: err instanceof Error ? err.message : String(err) });
            return known?.addresses ?? [];
          },
        )
        .then((addresses) => {
          this.resolved.set(host, { addresses, at: this.now() });
          this.resolving.delete(host);
          if (addresses.join() !== (known?.addresses ?? []).join()) {
            this.trunks = this.trunks.map((x) => (x.host?.toLowerCase() === host ? Object.freeze({ ...x, sources: Object.freeze(this.sourcesOf(x)) }) : x));
            this.notify();
          }
        });
      this.resolving.set(host, job);
    }
  }
}

/**
 * The SecretBox the api seals trunk passwords with (api/routes/trunks/trunk-secrets.ts):
 * keyed from the appliance master key, loaded on first use.
 */
export function trunkSecretBox(opts: { dataDir: string; masterKeyPath?: string | undefined }): () => SecretBox {
  let box: SecretBox | undefined;
  return () => (box ??= new SecretBox(loadMasterKey({ dataDir: opts.dataDir, ...(opts.masterKeyPath ? { masterKeyPath: opts.masterKeyPath } : {}) }).key, TRUNK_PASSWORD.purpose));
}
