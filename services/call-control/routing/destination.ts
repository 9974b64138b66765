// Where a call goes: the one vocabulary of the router, inbound DIDs, a
// tenant's main destination, IVR options, a group's overflow and a
// schedule's branches. Built-in kinds are carried by call-control itself;
// `feature` names a configured feature record (an IVR menu, a ring group …)
// by its id, which the feature's factory loads (features/index.ts).
import type { RouteDecision } from '../calls/call-router';

/** Features a destination may name; a name without a factory in features/index.ts ends the call 404 feature-not-available. */
export const FEATURE_NAMES = ['ring-group', 'ivr', 'schedule', 'announcement', 'queue', 'voicemail', 'fmc'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export type Destination =
  /**
   * Ring an extension's phones with its DND and forwarding. `route` is set
   * only by the router, which already decided (so a refusal costs no slot);
   * a stored destination never carries it and is routed when run.
   */
  | { kind: 'extension'; extension: string; route?: Extract<RouteDecision, { kind: 'extension' }> }
  /** A number through the dial plan and the outbound routes' trunks. `route` as for `extension`. */
  | { kind: 'external'; number: string; route?: Extract<RouteDecision, { kind: 'trunk' }> }
  /** Refuse the caller's INVITE (before answer) with a SIP status; `code` is the CDR's reason. */
  | { kind: 'refuse'; status: number; reason: string; code?: string; headers?: Record<string, string> }
  /** End the call: BYE when the PBX answered it, else the INVITE is refused with `status`. */
  | { kind: 'hangup'; status: number; reason: string; code?: string }
  | { kind: 'feature'; feature: FeatureName; id: string }
  /** A feature code dialled from a phone (`*45*7`): the code names the feature, no stored record. */
  | { kind: 'code'; code: string }
  /** The recording notice (a DID's): the PBX answers, plays `prompt`, then the call goes on to `then`. */
  | { kind: 'notice'; prompt: number; then: Destination };

export type DestinationKind = Destination['kind'];

/** A short stable name for logs and the call's path: `extension:201`, `feature:ivr:7`. */
export function describeDestination(d: Destination): string {
  switch (d.kind) {
    case 'extension':
      return `extension:${d.extension}`;
    case 'external':
      return `external:${d.number}`;
    case 'refuse':
    case 'hangup':
      return `${d.kind}:${d.status}`;
    case 'feature':
      return `feature:${d.feature}:${d.id}`;
    case 'notice':
      return `notice:${d.prompt}`;
    case 'code':
      return `code:${d.code}`;
  }
}

/** The router's decision as a destination: the first hop of every call from a phone or a DID. */
export function destinationOf(route: RouteDecision): Destination {
  if (route.kind === 'extension') return { kind: 'extension', extension: route.number, route };
  if (route.kind === 'trunk') return { kind: 'external', number: route.number, route };
  if (route.kind === 'code') return { kind: 'code', code: route.number };
  return { kind: 'refuse', status: route.status, reason: route.reason, code: route.code };
}
