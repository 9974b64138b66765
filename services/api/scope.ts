// Tenant isolation: which tenant a request acts on. Appliance-level users
// (superadmin, a global auditor) may name a tenant; everyone else is pinned
// to their own, and an id from another tenant looks exactly like a missing one.
import type { User } from '../store';

/** undefined = every tenant (appliance-level user who named none). */
export function tenantScope(user: User, requested?: number): number | undefined {
  if (user.tenantId === null) return requested;
  return user.tenantId;
}

export function inScope(user: User, tenantId: number | null): boolean {
  return user.tenantId === null || user.tenantId === tenantId;
}

export function requestedTenant(query: Record<string, unknown>, header: string): number | undefined {
  const raw = (typeof query.tenantId === 'string' ? query.tenantId : '') || header;
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
