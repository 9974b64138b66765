// Who is calling: an operator through one of our trunks (recognised by
// address, no credentials: inbound-call.ts), or a phone proving who it is
// with digest authentication (auth/request-auth.ts), as before trunks.
import type { Party } from '../cdr/cdr-record';
import { authenticateRequest, type RequestAuthDeps } from '../auth/request-auth';
import { routeToExtension, type RouteDecision, type RouterStores } from '../calls/call-router';
import { runtimeDestination, type Destination as StoredDestination } from '../../call-flows';
import type { Destination } from '../routing/destination';
import type { DirectoryTrunk, TrunkDirectory } from './trunk-directory';
import { matchInbound, type InboundDeps } from './inbound-call';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for its request and response
type Loose = any;

export type { InboundDeps };

export interface Origin {
  tenantId: number;
  /** The PBX extension of the call: the caller's for internal and outbound calls, the DID's destination for inbound ones. */
  extension: string;
  caller: Party;
  /** The trunk an inbound call came from. */
  trunk?: DirectoryTrunk;
  /** The called number as the CDR shows it, when it is not the extension rung (an inbound DID). */
  callee?: Party;
  /** The target of a call from a trunk, decided by its DID; phones' calls go through the dial plan. */
  route?: () => RouteDecision;
  /** A DID to a call flow (or to the tenant's main destination): where features/ take the call. */
  destination?: () => Destination;
}

export interface OriginDeps {
  auth: RequestAuthDeps;
  router: RouterStores;
  trunks?: Omit<InboundDeps, 'directory'> & {
    directory: Pick<TrunkDirectory, 'candidates' | 'isTrunkEndpoint'>;
    /** The tenant's main destination, for DIDs that go there. */
    mainDestination?(tenantId: number): StoredDestination | null;
  };
}

/** The call's origin, or undefined when a response (407, 403, 400) has been sent. */
export function callOrigin(deps: OriginDeps, req: Loose, res: Loose): Origin | undefined {
  const match = deps.trunks ? matchInbound(deps.trunks, req) : { kind: 'not-trunk' as const };
  if (match.kind === 'not-trunk') {
    const caller = authenticateRequest(deps.auth, req, res);
    return caller && { tenantId: caller.tenant.id, extension: caller.extension, caller: { dialled: caller.extension, number: caller.extension } };
  }
  const { trunk } = match;
  if (match.kind === 'unknown-did') {
    // RFC 3398 §7.2.4.1: Q.850 cause 1 "unallocated number" is 404.
    const refused: RouteDecision = { kind: 'refuse', dialled: match.dialled, number: '', status: 404, reason: 'Unknown Number', code: 'did-not-found' };
    return { tenantId: trunk.tenantId, extension: '', caller: match.caller, trunk, callee: { dialled: match.dialled, number: '' }, route: () => refused };
  }
  const { did } = match;
  if (did.destination?.type !== 'extension') {
    // A DID to a call flow, or (null) to the tenant's main destination: features/ run it.
    const stored = did.destination ?? deps.trunks?.mainDestination?.(did.tenantId) ?? null;
    const destination = (): Destination => (stored ? runtimeDestination(stored) : { kind: 'refuse', status: 404, reason: 'Not Found', code: 'no-main-destination' });
    return { tenantId: did.tenantId, extension: '', caller: match.caller, trunk, callee: { dialled: match.dialled, number: match.didNumber }, destination };
  }
  const target = did.destination.extension;
  return {
    tenantId: did.tenantId,
    extension: target,
    caller: match.caller,
    trunk,
    callee: { dialled: match.dialled, number: match.didNumber },
    // Rung as an internal call rings it: DND, not registered and (later) forwarding apply.
    route: () => routeToExtension(deps.router, did.tenantId, target, match.dialled),
  };
}
