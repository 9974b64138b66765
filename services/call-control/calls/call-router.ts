// Where an authenticated caller's INVITE goes: the dialled number (the
// Request-URI user, RFC 3261 §8.1.1.1) through the tenant's dial plan, then
// the target extension's state and forwarding (forwarding.ts). Only decides;
// allocates nothing, so a refusal here costs no licence slot and no media port.
import type { Binding } from '../registrar/location-service';
import type { DialPlan } from '../dialplan/dial-plan';
import type { OutboundPermission } from '../dialplan/permissions';
import { aorKey, Forwarding, type ForwardRules, type ForwardStep, type Hop } from './forwarding';

export { aorKey };

export interface RouterStores {
  extension(tenantId: number, extension: string): { id: number; enabled: boolean; outboundPermission: OutboundPermission } | undefined;
  dnd(extensionId: number): boolean;
  /** The extension's call forwarding; without it nothing is forwarded. */
  forwarding?(extensionId: number): ForwardRules | undefined;
  dialPlan(tenantId: number): DialPlan;
  bindings(aor: string): Binding[];
}

export type RouteDecision =
  /**
   * Ring `hop` (every phone of the extension reached, after any unconditional
   * forward); `number` is the extension dialled, `binding` its best phone.
   */
  | { kind: 'extension'; dialled: string; number: string; binding: Binding; hop: Extract<Hop, { kind: 'ring' }> }
  | { kind: 'refuse'; dialled: string; number: string; status: 403 | 404 | 480 | 482 | 484 | 486; reason: string; code: string; forwards?: ForwardStep[] };

export function routeCall(stores: RouterStores, tenantId: number, callerExtension: string, dialled: string): RouteDecision {
  const caller = stores.extension(tenantId, callerExtension);
  const decision = stores.dialPlan(tenantId).decide(dialled, caller?.outboundPermission ?? 'internal');
  const refuse = (status: 403 | 404 | 480 | 482 | 484 | 486, reason: string, code: string, number = '', forwards?: ForwardStep[]): RouteDecision => ({
    kind: 'refuse', dialled, number, status, reason, code, ...(forwards && forwards.length > 0 ? { forwards } : {}),
  });
  if (decision.kind === 'refused') return refuse(decision.sipStatus, decision.message, decision.code, decision.normalised?.number);
  // Trunks and feature codes arrive in later steps; say so precisely instead of a blanket error.
  if (decision.kind === 'outbound') return refuse(404, 'Outbound calls are not available yet', 'outbound-not-available', decision.number);
  if (decision.kind === 'feature') return refuse(404, 'Feature code not available', 'feature-not-available', decision.number);
  const hop = new Forwarding(stores, tenantId).resolve(decision.number);
  if (hop.kind === 'refuse') return refuse(hop.status, hop.reason, hop.code, decision.number, hop.forwards);
  // An external forward target goes out as a dialled external number does (the outbound route).
  if (hop.kind === 'outbound') return refuse(404, 'Outbound calls are not available yet', 'outbound-not-available', decision.number, hop.forwards);
  return { kind: 'extension', dialled, number: decision.number, binding: hop.bindings[0]!, hop };
}
