// Who is calling: an operator through one of our trunks (recognised by
// address, no credentials: inbound-call.ts), or a phone proving who it is
// with digest authentication (auth/request-auth.ts), as before trunks.
import type { Party } from '../cdr/cdr-record';
import { authenticateRequest, type RequestAuthDeps } from '../auth/request-auth';
import { routeToExtension, type RouteDecision, type RouterStores } from '../calls/call-router';
import { runtimeDestination, type Destination as StoredDestination } from '../../call-flows';
import type { Destination } from '../routing/destination';
import { screenEntry, type CallLists, type Screened } from '../features/screening';
import type { RefusedDids } from './refused-dids';
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
  /** An inbound caller screened by the tenant's lists: the call's VIP mark and the list that decided. */
  screened?: Screened;
}

export interface OriginDeps {
  auth: RequestAuthDeps;
  router: RouterStores;
  trunks?: Omit<InboundDeps, 'directory'> & {
    directory: Pick<TrunkDirectory, 'candidates' | 'isTrunkEndpoint'>;
    /** The tenant's main destination, for DIDs that go there. */
    mainDestination?(tenantId: number): StoredDestination | null;
    /** Black/white lists and DID recording notices; without them no caller is screened and no notice played. */
    lists?: CallLists;
    /** Counts calls to unknown numbers; beyond a few CDRs a minute they are only counted (refused-dids.ts). */
    refusedDids?: Pick<RefusedDids, 'note'>;
  };
}

/** The call's origin, or undefined when a response (407, 403, 400) has been sent. */
export function callOrigin(deps: OriginDeps, req: Loose, res: Loose): Origin | undefined {
  const match = deps.trunks ? matchInbound(deps.trunks, req) : { kind: 'not-trunk' as const };
  if (match.kind === 'not-trunk') {
    const caller = authenticateRequest(deps.auth, req, res);
    return (
      caller && { tenantId: caller.tenant.id, extension: caller.extension, caller: { dialled: caller.extension, number: caller.extension } }
    );
  }
  const { trunk } = match;
  if (match.kind === 'unknown-did') {
    // A flood to made-up numbers from a forgeable source: answered, counted, no CDR or log line each (issue 16 item 4).
    if (deps.trunks?.refusedDids && !deps.trunks.refusedDids.note(trunk, match.dialled)) {
      res.send(404, 'Unknown Number', { headers: { Reason: 'Q.850;cause=1;text="unallocated number"' } });
      return undefined;
    }
    // RFC 3398 §7.2.4.1: Q.850 cause 1 "unallocated number" is 404.
    const refused: RouteDecision = {
      kind: 'refuse',
      dialled: match.dialled,
      number: '',
      status: 404,
      reason: 'Unknown Number',
      code: match.ambiguous ? 'did-ambiguous' : 'did-not-found',
    };
    return {
      tenantId: trunk.tenantId,
      extension: '',
      caller: match.caller,
      trunk,
      callee: { dialled: match.dialled, number: '' },
      route: () => refused,
    };
  }
  const { did } = match;
  const base = { tenantId: did.tenantId, caller: match.caller, trunk, callee: { dialled: match.dialled, number: match.didNumber } };
  const lists = deps.trunks?.lists;
  // Screened before anything else: a blocked caller never hears the notice nor reaches the DID's destination.
  const screened = lists ? screenEntry(lists, did.tenantId, match.caller.number || match.caller.dialled) : undefined;
  if (screened?.treatment) {
    const treatment = screened.treatment;
    return { ...base, extension: '', screened, destination: () => treatment };
  }
  const notice = lists?.didNotice(did.tenantId, did.number);
  const withNotice = (then: Destination): Destination =>
    notice?.enabled && notice.prompt !== null ? { kind: 'notice', prompt: notice.prompt, then } : then;
  if (did.destination?.type !== 'extension') {
    // A DID to a call flow, or (null) to the tenant's main destination: features/ run it.
    const stored = did.destination ?? deps.trunks?.mainDestination?.(did.tenantId) ?? null;
    const destination = (): Destination =>
      stored ? withNotice(runtimeDestination(stored)) : { kind: 'refuse', status: 404, reason: 'Not Found', code: 'no-main-destination' };
    return { ...base, extension: '', ...(screened ? { screened } : {}), destination };
  }
  const target = did.destination.extension;
  // With a notice the PBX answers first; the extension is then rung onto the answered caller (features/extension.ts).
  if (notice?.enabled && notice.prompt !== null)
    return {
      ...base,
      extension: target,
      ...(screened ? { screened } : {}),
      destination: () => withNotice({ kind: 'extension', extension: target }),
    };
  return {
    ...base,
    extension: target,
    ...(screened ? { screened } : {}),
    // Rung as an internal call rings it: DND, not registered and (later) forwarding apply.
    route: () => routeToExtension(deps.router, did.tenantId, target, match.dialled),
  };
}
