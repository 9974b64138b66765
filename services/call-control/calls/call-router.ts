// Where an authenticated caller's INVITE goes: the dialled number (the
// Request-URI user, RFC 3261 §8.1.1.1) through the tenant's dial plan, then
// the target extension's state and forwarding (forwarding.ts). Only decides;
// allocates nothing, so a refusal here costs no licence slot and no media port.
import type { Binding } from '../registrar/location-service';
import type { DialPlan } from '../../dialplan';
import type { NumberClass } from '../../dialplan';
import type { RouteDecision as OutboundRoute } from '../../dialplan';
import type { OutboundPermission } from '../../dialplan';
import { aorKey, Forwarding, type ForwardRules, type ForwardStep, type Hop } from './forwarding';

export { aorKey };

export interface RouterStores {
  extension(tenantId: number, extension: string): { id: number; enabled: boolean; outboundPermission: OutboundPermission } | undefined;
  dnd(extensionId: number): boolean;
  /** The extension's call forwarding; without it nothing is forwarded. */
  forwarding?(extensionId: number): ForwardRules | undefined;
  dialPlan(tenantId: number): DialPlan;
  bindings(aor: string): Binding[];
  /** True when the extension also rings a mobile through a GSM gateway (fmc/mobile-ring.ts): it is reachable with no phone registered. */
  ringsMobile?(tenantId: number, extensionId: number): boolean;
}

export type RouteDecision =
  /**
   * Ring `hop` (every phone of the extension reached, after any unconditional
   * forward); `number` is the extension dialled, `binding` its best phone.
   */
  | { kind: 'extension'; dialled: string; number: string; binding?: Binding; hop: Extract<Hop, { kind: 'ring' }> }
  | { kind: 'refuse'; dialled: string; number: string; status: 403 | 404 | 480 | 482 | 484 | 486; reason: string; code: string; forwards?: ForwardStep[] }
  /** A feature code dialled from a phone (`*45`): features/index.ts knows which feature runs it. */
  | { kind: 'code'; dialled: string; number: string; forwards?: undefined }
  /** Out through the route's trunks (trunks/outbound-call.ts); `number` is E.164 or an emergency code. */
  | { kind: 'trunk'; dialled: string; number: string; class: NumberClass; route: OutboundRoute; forwards?: ForwardStep[] };

export function routeCall(stores: RouterStores, tenantId: number, callerExtension: string, dialled: string): RouteDecision {
  const caller = stores.extension(tenantId, callerExtension);
  const decision = stores.dialPlan(tenantId).decide(dialled, caller?.outboundPermission ?? 'internal');
  const refuse = (status: 403 | 404 | 480 | 482 | 484 | 486, reason: string, code: string, number = '', forwards?: ForwardStep[]): RouteDecision => ({
    kind: 'refuse', dialled, number, status, reason, code, ...(forwards && forwards.length > 0 ? { forwards } : {}),
  });
  if (decision.kind === 'refused') return refuse(decision.sipStatus, decision.message, decision.code, decision.normalised?.number);
  if (decision.kind === 'outbound') return { kind: 'trunk', dialled, number: decision.number, class: decision.class, route: decision.route };
  // A feature code runs as a destination (features/index.ts); one nobody serves ends 404 feature-not-available there.
  if (decision.kind === 'feature') return { kind: 'code', dialled, number: decision.number };
  return routeToExtension(stores, tenantId, decision.number, dialled);
}

/** An extension as the target (dialled internally, or an inbound DID's destination): its state and forwarding decide. */
export function routeToExtension(stores: RouterStores, tenantId: number, extension: string, dialled: string): RouteDecision {
  const hop = new Forwarding(stores, tenantId).resolve(extension);
  if (hop.kind === 'refuse') return { kind: 'refuse', dialled, number: extension, status: hop.status, reason: hop.reason, code: hop.code, ...(hop.forwards.length > 0 ? { forwards: hop.forwards } : {}) };
  // An external forward target goes out as a dialled external number does (the outbound route).
  if (hop.kind === 'outbound') {
    const d = hop.decision;
    return { kind: 'trunk', dialled, number: d.number, class: d.class, route: d.route, ...(hop.forwards.length > 0 ? { forwards: hop.forwards } : {}) };
  }
  // No desk phone but a mobile to ring: no binding (fmc/mobile-ring.ts adds the mobile).
  return { kind: 'extension', dialled, number: extension, ...(hop.bindings[0] ? { binding: hop.bindings[0] } : {}), hop };
}

/**
 * An outside number an admin configured as a destination (an IVR option, a
 * DID forwarded to a mobile): the admin's choice is the permission, so only
 * the dial plan's own refusals (an incomplete or impossible number) apply.
 */
export function routeExternal(stores: RouterStores, tenantId: number, number: string): RouteDecision {
  const decision = stores.dialPlan(tenantId).decide(number, 'international');
  if (decision.kind === 'outbound') return { kind: 'trunk', dialled: number, number: decision.number, class: decision.class, route: decision.route };
  if (decision.kind === 'refused') return { kind: 'refuse', dialled: number, number: decision.normalised?.number ?? '', status: decision.sipStatus, reason: decision.message, code: decision.code };
  return { kind: 'refuse', dialled: number, number, status: 404, reason: 'Not an outside number', code: 'external-not-outside' };
}
