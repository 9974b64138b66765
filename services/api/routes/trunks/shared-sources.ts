// Issue 16 item 5: a trunk is trusted by where its requests come from, so a
// source another tenant's trunk already has is that tenant's calls. A tenant
// admin may not add one (409 `trunk-source-shared`, naming the address, not the
// other tenant); a superadmin may, for two tenants that really buy from one
// operator, and the approval is in the audit row. Calls from a shared source
// are then routed only on a DID exactly one tenant holds (call-control's
// trunks/inbound-call.ts).
//
// Only IP addresses are compared (an IP trunk's addresses, a host given as an
// address). Host names are not: many tenants register to one operator's
// registrar by name with their own accounts, which is normal; what protects
// them is the DID rule above.
import { isIP } from 'node:net';
import type { Trunk, TrunkFields } from '../../../store';
import type { ApiDeps } from '../../context';
import { conflict } from '../../errors';

/** An address in one spelling (IPv6 lower case, IPv4-mapped as IPv4); host names lower case. */
function key(value: string): string {
  const v = value.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v)?.[1];
  return mapped ?? v;
}

/** The IP addresses a trunk's requests come from as configured: its addresses and its host when that is an address. */
export function trunkSources(t: Pick<TrunkFields, 'host' | 'addresses'>): string[] {
  const out = new Set(t.addresses.map(key));
  if (t.host && isIP(t.host) !== 0) out.add(key(t.host));
  return [...out];
}

/** Other tenants' enabled or disabled trunks sharing a source with `fields`: the shared sources and the tenants. */
export function sharedSources(deps: ApiDeps, tenantId: number, fields: Pick<TrunkFields, 'host' | 'addresses'>): { sources: string[]; tenantIds: number[] } {
  const mine = new Set(trunkSources(fields));
  const sources = new Set<string>();
  const tenantIds = new Set<number>();
  for (const t of deps.store.trunks.list() as Trunk[]) {
    if (t.tenantId === tenantId) continue;
    for (const s of trunkSources(t))
      if (mine.has(s)) {
        sources.add(s);
        tenantIds.add(t.tenantId);
      }
  }
  return { sources: [...sources].sort(), tenantIds: [...tenantIds].sort((a, b) => a - b) };
}

/**
 * Refuses a tenant admin's trunk on another tenant's source; a superadmin's is
 * allowed and returned for the audit row (undefined when nothing is shared).
 */
export function checkSharedSources(
  deps: ApiDeps,
  role: string,
  tenantId: number,
  fields: Pick<TrunkFields, 'host' | 'addresses'>,
  /** The trunk as it is (on an edit): sources it already has were approved then, and an edit that keeps them is not refused. */
  before?: Pick<TrunkFields, 'host' | 'addresses'>,
): { sharedSources: string[]; sharedWithTenants: number[] } | undefined {
  const kept = new Set(before ? trunkSources(before) : []);
  const shared = sharedSources(deps, tenantId, fields);
  if (shared.sources.length === 0) return undefined;
  if (shared.sources.every((s) => kept.has(s))) return undefined;
  if (role !== 'superadmin')
    throw conflict(
      'trunk-source-shared',
      `${shared.sources.join(', ')} ${shared.sources.length === 1 ? 'is' : 'are'} already another tenant's trunk source; only a superadmin can add a trunk that shares it`,
      { field: 'addresses', sources: shared.sources },
    );
  return { sharedSources: shared.sources, sharedWithTenants: shared.tenantIds };
}
