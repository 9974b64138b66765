// Where an authenticated caller's INVITE goes: the dialled number (the
// Request-URI user, RFC 3261 §8.1.1.1) through the tenant's dial plan, then
// the target extension's state. Only decides; allocates nothing, so a
// refusal here costs no licence slot and no media port.
import type { Binding } from '../registrar/location-service';
import type { DialPlan } from '../dialplan/dial-plan';
import type { OutboundPermission } from '../dialplan/permissions';

export interface RouterStores {
  extension(tenantId: number, extension: string): { id: number; enabled: boolean; outboundPermission: OutboundPermission } | undefined;
  dnd(extensionId: number): boolean;
  dialPlan(tenantId: number): DialPlan;
  bindings(aor: string): Binding[];
}

export type RouteDecision =
  | { kind: 'extension'; dialled: string; number: string; binding: Binding }
  | { kind: 'refuse'; dialled: string; number: string; status: 403 | 404 | 480 | 484 | 486; reason: string; code: string };

/** Address-of-record key the registrar files bindings under. */
export const aorKey = (tenantId: number, extension: string) => `${tenantId}:${extension}`;

export function routeCall(stores: RouterStores, tenantId: number, callerExtension: string, dialled: string): RouteDecision {
  const caller = stores.extension(tenantId, callerExtension);
  const decision = stores.dialPlan(tenantId).decide(dialled, caller?.outboundPermission ?? 'internal');
  const refuse = (status: 403 | 404 | 480 | 484 | 486, reason: string, code: string, number = ''): RouteDecision => ({ kind: 'refuse', dialled, number, status, reason, code });
  if (decision.kind === 'refused') return refuse(decision.sipStatus, decision.message, decision.code, decision.normalised?.number);
  // Trunks and feature codes arrive in later steps; say so precisely instead of a blanket error.
  if (decision.kind === 'outbound') return refuse(404, 'Outbound calls are not available yet', 'outbound-not-available', decision.number);
  if (decision.kind === 'feature') return refuse(404, 'Feature code not available', 'feature-not-available', decision.number);
  const target = stores.extension(tenantId, decision.number);
  if (!target || !target.enabled) return refuse(404, 'No such extension', 'extension-not-found', decision.number);
  if (stores.dnd(target.id)) return refuse(486, 'Do Not Disturb', 'extension-dnd', decision.number);
  // lookup() gives the best q, then the newest registration first; we ring that one phone.
  const binding = stores.bindings(aorKey(tenantId, decision.number))[0];
  if (!binding) return refuse(480, 'Not registered', 'extension-not-registered', decision.number);
  return { kind: 'extension', dialled, number: decision.number, binding };
}
