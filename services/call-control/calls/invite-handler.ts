// A new INVITE: who calls (digest 407, or a trunk by its address), where to
// (the dial plan; a refusal here costs no licence slot and no media port),
// admission (admit-call.ts), then the Call runs through its destinations
// (features/index.ts). This file does not grow per feature: a new
// destination type is a file in features/ and one registry line.
import type { Logger } from '../../common/logger';
import type { CallLedger } from '../../../licensing/admission';
import type { Limits } from '../../../licensing/profiles';
import type { RequestAuthDeps } from '../auth/request-auth';
import { callActions } from '../actions/index';
import { Call } from '../call/call';
import { CallRegistry } from '../call/call-registry';
import { SrfCallerLeg } from '../call/srf-legs';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import { extensionFeature } from '../features/extension';
import { externalFeature } from '../features/external';
import type { FeatureDeps, FeaturePorts } from '../features/feature';
import type { FlowCall, FlowDeps } from '../features/flow';
import { Features, runDestinations, type Builtins } from '../features/index';
import { hangupFeature } from '../features/hangup';
import type { RtpengineMedia } from '../media/rtpengine-media';
import { SipAddressError, uriParts } from '../registrar/sip-address';
import { destinationOf } from '../routing/destination';
import { callOrigin, type InboundDeps, type OriginDeps } from '../trunks/inbound-origin';
import type { TrunkCallDeps } from '../trunks/outbound-call';
import { admitCall, refuse, type CallCounters } from './admit-call';
import { routeCall, type RouterStores } from './call-router';
import { recordForwards } from './fork-call';
import type { LiveCalls } from './live-calls';
import type { RecordingDeps } from './recording';
import type { TransferHook } from './transfer';

export { deleteMedia, type CallCounters } from './admit-call';
export { natProxy } from '../registrar/location-service';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for its request and response
type Loose = any;

export interface InviteDeps {
  srf: Loose;
  auth: RequestAuthDeps;
  router: RouterStores;
  media: RtpengineMedia;
  recorder: CdrRecorder;
  ledger: CallLedger;
  limits: () => Pick<Limits, 'concurrentCalls'>;
  /** True when a CDR with this id exists already (a phone reusing a Call-ID). */
  cdrExists(id: string): boolean;
  ringTimeoutMs: number;
  counters: CallCounters;
  /** The tenant's recording policy and the recordings gate; without it no call is recorded. */
  recording?: RecordingDeps;
  /** Answered calls, for transfers, on-demand recording and the live view. */
  live?: LiveCalls;
  /** REFER handling for answered calls (transfer.ts). */
  transfers?: TransferHook;
  /** Calls out through trunks and in from them; without it outbound numbers are refused and every INVITE is authenticated. */
  trunks?: TrunkCallDeps & Omit<InboundDeps, 'directory'> & Pick<NonNullable<OriginDeps['trunks']>, 'mainDestination' | 'lists' | 'refusedDids'>;
  /** The calls in progress (DTMF reports are routed to them); one is made when not given. */
  calls?: CallRegistry;
  /** What features take from the service (features/feature.ts FeaturePorts); a new feature's port goes there, not here. */
  features?: FeaturePorts;
  log: Logger;
}

export function inviteHandler(deps: InviteDeps) {
  const calls = deps.calls ?? new CallRegistry();
  const { srf, recorder, router, media, live, transfers, log } = deps;
  const ring = { srf, recorder, router, media, log, onAnswered: () => deps.counters.answered++, ...(live ? { live } : {}), ...(transfers ? { transfers } : {}) };
  const actions = callActions({ media, recorder, ring });
  const directory: FeatureDeps['directory'] = { hasExtension: (tenantId, extension) => router.extension(tenantId, extension) !== undefined };
  const shared: Shared = { calls, actions, directory, lists: deps.trunks?.lists, configs: { load: () => undefined }, prompts: { file: () => undefined }, ...deps.features };
  return async (req: Loose, res: Loose): Promise<void> => {
    try {
      await handleInvite(deps, shared, req, res);
    } catch (err) {
      // A bug or a failed database write before the Call existed: log it once, answer (RFC 3261 §21.5.1), never crash the process.
      deps.log.error('invite handling failed', { callId: req.get('Call-ID'), err: err instanceof Error ? err.message : String(err) });
      if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
    }
  };
}

interface Shared extends Omit<FeatureDeps, 'log' | 'now'> {
  calls: CallRegistry;
}

async function handleInvite(deps: InviteDeps, shared: Shared, req: Loose, res: Loose): Promise<void> {
  // An operator's INVITE carries no credentials: its trunk is known by its address (trunks/inbound-origin.ts).
  const origin = callOrigin(deps, req, res);
  if (!origin) return; // 407 / 403 / 400 sent
  // RFC 3891 §3: a phone taking over a leg of a call in progress (transfer.ts), not a new call.
  if (req.has('Replaces') && !origin.trunk && deps.transfers) return deps.transfers.replaces(req, res, { tenantId: origin.tenantId, extension: origin.extension });
  const callId: string = req.get('Call-ID');
  const fromTag: string = req.getParsedHeader('From').params.tag ?? '';
  // A phone may reuse a Call-ID; the id we give the ledger, rtpengine and the CDR must be unique.
  const id = shared.calls.has(callId) || deps.cdrExists(callId) ? `${callId}~${fromTag}` : callId;
  const log = deps.log.child({ callId: id });
  deps.counters.attempts++;
  // RFC 3261 §8.1.1.1: the Request-URI names the target (authenticateRequest already parsed From).
  let dialled: string;
  try {
    dialled = uriParts(String(req.uri)).user;
  } catch (err) {
    if (!(err instanceof SipAddressError)) throw err;
    res.send(400, 'Bad Request-URI', {});
    return;
  }
  const { tenantId } = origin;
  // A DID to a call flow names its destination; everything else is routed by the dial plan (or the DID's extension).
  const flow = origin.destination?.();
  const route = flow ? undefined : (origin.route?.() ?? routeCall(deps.router, tenantId, origin.extension, dialled));
  const direction = origin.trunk ? 'inbound' : route?.kind === 'trunk' ? 'outbound' : 'internal';
  const callee = origin.callee ?? { dialled, number: route?.number ?? '' };
  const party = { ...(origin.extension ? { extension: origin.extension } : {}), ...(origin.trunk ? { trunk: origin.trunk.name } : {}) };
  deps.recorder.attempt({ type: 'attempt', at: Date.now(), callId: id, tenantId, direction, caller: origin.caller, callee, ...party });
  // Unconditional forwards (and those of DND or an unregistered extension) were decided by the router.
  if (route) recordForwards(deps.recorder, id, route.kind === 'extension' ? route.hop.forwards : (route.forwards ?? []));

  const a = new SrfCallerLeg(deps.srf, req, res, origin.caller.number, fromTag);
  const call = new Call({ recorder: deps.recorder }, { id, tenantId, direction, caller: origin.caller, callee, a, log, screened: origin.screened });
  shared.calls.add(call);
  const first = flow ?? destinationOf(route!);
  try {
    if (first.kind === 'refuse') {
      // Before admission: a refusal takes no licence slot and no media port.
      deps.counters.refused++;
      log.info('call refused', { code: first.code, status: first.status, dialled });
      call.path.push(`refuse:${first.status}`);
      await hangupFeature(first).run(call);
      return;
    }
    if (first.kind === 'external' && !deps.trunks) return await refuse(deps, call, a, 404, 'Outbound calls are not available', 'outbound-not-available');
    const admitted = await admitCall({ ...deps, ...(deps.trunks ? { channels: deps.trunks.channels } : {}) }, call, a, origin);
    if (!admitted) return;
    const flow: FlowCall = { call, a, legs: admitted.legs, offerSdp: admitted.offerSdp, origin };
    const flowDeps: FlowDeps = { ...deps, onAnswered: () => deps.counters.answered++ };
    const builtIn: Builtins = { extension: (to) => extensionFeature(to, flowDeps, flow, shared.actions), external: (to) => externalFeature(to, flowDeps, flow, shared) };
    const features = new Features({ ...shared, now: Date.now, log }, builtIn);
    await runDestinations(call, first, features);
  } catch (err) {
    // Anything thrown after the Call exists ends it: its licence slot, media session and CDR are released once.
    log.error('call failed', { err: err instanceof Error ? err.message : String(err) });
    await call.end('system', 500, 'internal-error');
  }
}
