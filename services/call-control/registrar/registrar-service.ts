// Builds the registrar from the store's repositories: tenants by SIP domain
// (an IP literal means the default tenant), enabled extensions' HA1 sets,
// persisted bindings. Everything arrives as an argument (STYLE.md: no
// globals), so the srf application in call-control's service only does
// `srf.use('register', registrar.middleware)` and runs `sweep()` each minute.
import type { Logger } from '../../common/logger';
import { DigestAuthenticator, type DigestAlgorithm, type DigestOptions } from '../auth/digest';
import { BanList, type BanListOptions, type BanStore } from './ban-list';
import { LocationService, type LocationStore } from './location-service';
import { isIpLiteral, registrar, type RegisterRequest, type RegisterResponse, type RegistrarTenant } from './registrar';

export interface RegistrarStores {
  tenants: { byDomain(domain: string): RegistrarTenant | undefined; defaultTenant(): RegistrarTenant | undefined };
  extensions: { credentials(tenantId: number, sipUsername: string): { extension: { extension: string }; ha1: { MD5: string; 'SHA-256': string } } | undefined };
  registrations: LocationStore;
  /** Shared bans (the api lists and lifts them); in memory only when absent. */
  bans?: BanStore;
  /** What challenges offer this tenant's user (services/common/sip-digest.ts); the authenticator's list when absent. */
  algorithms?(tenantId: number, username: string | undefined): readonly DigestAlgorithm[];
  /** The extension with this SIP user name takes TLS only (migration 0178). */
  requiresTls?(tenantId: number, username: string): boolean;
}

export interface RegistrarServiceOptions {
  digest?: DigestOptions;
  bans?: Partial<BanListOptions>;
  /** Never banned, decided at run time: the trunks' signalling addresses. */
  trusted?: (ip: string) => boolean;
  maxBindingsPerAor?: number;
  minExpires?: number;
  maxExpires?: number;
}

export interface RegistrarService {
  middleware: (req: RegisterRequest, res: RegisterResponse, next: () => void) => void;
  bans: BanList;
  location: LocationService;
  /** Drops expired bindings and picks up bans made or lifted by the api; run every few seconds. */
  sweep(): number;
}

export function createRegistrar(stores: RegistrarStores, deps: { now: () => number; log: Logger }, opts: RegistrarServiceOptions = {}): RegistrarService {
  const log = deps.log.child({ component: 'registrar' });
  const bans = new BanList({ now: deps.now, log, ...(stores.bans ? { store: stores.bans } : {}), ...(opts.trusted ? { trusted: opts.trusted } : {}) }, opts.bans);
  const location = new LocationService(deps.now, { maxBindingsPerAor: opts.maxBindingsPerAor ?? 5 }, stores.registrations);
  const middleware = registrar({
    auth: new DigestAuthenticator({ now: deps.now, ...opts.digest }),
    bans,
    tenantFor: (host) => stores.tenants.byDomain(host) ?? (isIpLiteral(host) ? stores.tenants.defaultTenant() : undefined),
    credentials: (tenantId, username) => {
      const c = stores.extensions.credentials(tenantId, username);
      return c && { extension: c.extension.extension, ha1: c.ha1 };
    },
    ...(stores.algorithms ? { algorithms: stores.algorithms } : {}),
    ...(stores.requiresTls ? { requiresTls: stores.requiresTls } : {}),
    location,
    now: deps.now,
    log,
    ...(opts.minExpires !== undefined ? { minExpires: opts.minExpires } : {}),
    ...(opts.maxExpires !== undefined ? { maxExpires: opts.maxExpires } : {}),
  });
  return {
    middleware,
    bans,
    location,
    sweep: () => {
      bans.sync();
      return location.sweep();
    },
  };
}
