// A new INVITE from a phone, in the order that keeps refusals cheap:
// digest (407) → route (404 / 480 / 486 before anything is allocated) →
// licence admission (503 with a Q.850 Reason) → rtpengine offer → B2BUA.
// Every authenticated attempt leaves a CDR, refusals included.
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { CallLedger } from '../../../licensing/admission';
import type { Limits } from '../../../licensing/profiles';
import type { RequestAuthDeps } from '../auth/request-auth';
import { SYSTEM_REASONS } from '../cdr/cdr-machine';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import { codecRefusalHeaders } from '../media/codec-policy';
import type { RtpengineMedia } from '../media/rtpengine-media';
import { SipAddressError, uriParts } from '../registrar/sip-address';
import { bridgeCall, type CallParties } from './bridge-call';
import { routeCall, type RouterStores } from './call-router';
import { placeOutboundCall, type TrunkCallDeps } from '../trunks/outbound-call';
import { callOrigin, type InboundDeps } from '../trunks/inbound-origin';
import { recordForwards } from './fork-call';
import { Forwarding, type Hop } from './forwarding';
import type { LiveCalls } from './live-calls';
import { MediaLegs } from './media-legs';
import { CallRecording, type RecordingDeps } from './recording';
import type { TransferHook } from './transfer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for its request and response
type Loose = any;

export interface CallCounters {
  attempts: number;
  answered: number;
  refusedByLicence: number;
  refused: number;
}

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
  trunks?: TrunkCallDeps & Omit<InboundDeps, 'directory'>;
  log: Logger;
}

/** Next hop for a phone behind NAT: its REGISTER's source when the Contact names another host. */
export function natProxy(contact: string, source: { address: string; port: number; transport: string }): string | undefined {
  const host = uriParts(contact).host;
  if (!host || host === source.address) return undefined;
  return `sip:${source.address.includes(':') ? `[${source.address}]` : source.address}:${source.port};transport=${source.transport.toLowerCase()}`;
}

const DELETE_RETRIES_MS = [1000, 5000, 20000];

/**
 * Frees the call's media ports. Under load rtpengine may miss an ng reply;
 * an undeleted session would hold its ports until rtpengine's own timeout
 * and starve new calls ("Ran out of ports"), so a timed-out delete is retried.
 */
export async function deleteMedia(media: RtpengineMedia, id: string, log: Logger, attempt = 0): Promise<void> {
  try {
    await media.delete(id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'media-call-not-found') return;
    const retryIn = err instanceof AppError && err.code === 'rtpengine-timeout' ? DELETE_RETRIES_MS[attempt] : undefined;
    log.warn('rtpengine delete failed', { attempt, retryInMs: retryIn, err: err instanceof Error ? err.message : String(err) });
    if (retryIn !== undefined) setTimeout(() => void deleteMedia(media, id, log, attempt + 1), retryIn).unref();
  }
}

export function inviteHandler(deps: InviteDeps) {
  const live = new Set<string>();
  const handle = handleInvite(deps, live);
  return async (req: Loose, res: Loose): Promise<void> => {
    try {
      await handle(req, res);
    } catch (err) {
      // A bug or a failed database write: log it once, answer (RFC 3261 §21.5.1), never crash the process.
      deps.log.error('invite handling failed', { callId: req.get('Call-ID'), err: err instanceof Error ? err.message : String(err) });
      if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
    }
  };
}

function handleInvite(deps: InviteDeps, live: Set<string>) {
  return async (req: Loose, res: Loose): Promise<void> => {
    let cancelled = false;
    req.on('cancel', () => (cancelled = true));
    // An operator's INVITE carries no credentials: its trunk is known by its address (trunks/inbound-origin.ts).
    const origin = callOrigin(deps, req, res);
    if (!origin) return; // 407 / 403 / 400 sent
    // RFC 3891 §3: a phone taking over a leg of a call in progress (transfer.ts), not a new call.
    if (req.has('Replaces') && !origin.trunk && deps.transfers) return deps.transfers.replaces(req, res, { tenantId: origin.tenantId, extension: origin.extension });
    const callId: string = req.get('Call-ID');
    const fromTag: string = req.getParsedHeader('From').params.tag ?? '';
    // A phone may reuse a Call-ID; the id we give the ledger, rtpengine and the CDR must be unique.
    const id = live.has(callId) || deps.cdrExists(callId) ? `${callId}~${fromTag}` : callId;
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
    const route = origin.route?.() ?? routeCall(deps.router, tenantId, origin.extension, dialled);
    const direction = origin.trunk ? 'inbound' : route.kind === 'trunk' ? 'outbound' : 'internal';
    const callee = origin.callee ?? { dialled, number: route.number };
    deps.recorder.attempt({ type: 'attempt', at: Date.now(), callId: id, tenantId, direction, caller: origin.caller, callee, ...(origin.extension ? { extension: origin.extension } : {}), ...(origin.trunk ? { trunk: origin.trunk.name } : {}) });
    // Unconditional forwards (and those of DND or an unregistered extension) were decided by the router.
    recordForwards(deps.recorder, id, route.kind === 'extension' ? route.hop.forwards : (route.forwards ?? []));
    const refuse = (status: number, reason: string, headers: Record<string, string>, side: 'system' | 'callee', cdrReason?: string) => {
      deps.counters.refused++;
      res.send(status, reason, { headers });
      deps.recorder.event(id, { type: 'hangup', at: Date.now(), side, sipStatus: status, ...(cdrReason ? { reason: cdrReason } : {}) });
    };
    if (route.kind === 'refuse') {
      log.info('call refused', { code: route.code, status: route.status, dialled });
      return refuse(route.status, route.reason, {}, route.status === 486 || route.status === 480 ? 'callee' : 'system', route.code);
    }
    if (!req.body) return refuse(488, 'Offer Required', {}, 'system', 'no-sdp-offer');

    if (route.kind === 'trunk' && !deps.trunks) return refuse(404, 'Outbound calls are not available', {}, 'system', 'outbound-not-available');
    // An inbound call holds one of its trunk's channels (RFC 3326 Reason: Q.850 34, no circuit available).
    const inboundLease = origin.trunk && deps.trunks?.channels.take(origin.trunk);
    if (origin.trunk && !inboundLease) {
      log.warn('inbound call over the trunk channel limit', { trunkId: origin.trunk.id, channelLimit: origin.trunk.channelLimit });
      return refuse(503, 'All Trunk Channels Busy', { Reason: 'Q.850;cause=34;text="trunk channel limit"' }, 'system', 'trunk-channels-busy');
    }
    // Licence admission before any port or slot is taken (ARCHITECTURE.md: refused with a clear SIP response).
    const decision = deps.ledger.admit(deps.limits(), id);
    if (!decision.admit) {
      inboundLease?.release();
      deps.counters.refusedByLicence++;
      log.warn('call refused by the licence limit', { activeCalls: decision.activeCalls, limit: decision.limit });
      return refuse(decision.sip.status, decision.sip.reasonPhrase, decision.sip.headers, 'system', SYSTEM_REASONS.licenceCapacity);
    }
    live.add(id);
    const legs = new MediaLegs(deps.media, id, fromTag, req.source_address);
    let mediaOpen = false;
    const release = async () => {
      live.delete(id);
      inboundLease?.release();
      deps.ledger.release(id);
      if (mediaOpen) await deleteMedia(deps.media, id, log);
    };
    let offerSdp: string;
    try {
      mediaOpen = true;
      offerSdp = await legs.offerFromA(req.body);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'rtpengine-error';
      log.error('rtpengine offer failed', { code, reason: err instanceof Error ? err.message : String(err) });
      const bad = code === 'invalid-media-request' || code === 'incompatible-codecs';
      refuse(bad ? 488 : 503, bad ? 'Not Acceptable Here' : 'Media Unavailable', codecRefusalHeaders(err), 'system', code);
      return release();
    }
    if (cancelled) {
      // CANCEL arrived while rtpengine answered: RFC 3261 §9.2, the INVITE ends with 487.
      res.send(487, 'Request Terminated', {});
      deps.recorder.event(id, { type: 'hangup', at: Date.now(), side: 'caller', sipStatus: 487 });
      return release();
    }
    // Feature codes and transfers are honoured only from our own extensions, never from the outside party.
    const callerSide: ReadonlyArray<'caller'> = origin.trunk ? [] : ['caller'];
    const parties: CallParties = { tenantId, caller: origin.caller.number, callee: route.number, extensionParties: route.kind === 'trunk' ? callerSide : [...callerSide, 'callee'] };
    const recording = deps.recording && new CallRecording(deps.recording, { tenantId, cdrId: id, caller: parties.caller, callee: route.number, direction, ...(origin.trunk ? { trunk: origin.trunk.name } : {}) }, log);
    const bridgeDeps = { srf: deps.srf, recorder: deps.recorder, release, ...(deps.live ? { live: deps.live } : {}), ...(deps.transfers ? { transfers: deps.transfers } : {}), log: deps.log };
    const common = { id, req, res, legs, offerSdp, ringTimeoutMs: deps.ringTimeoutMs, cancelled: () => cancelled, onAnswered: () => deps.counters.answered++, ...(recording ? { recording } : {}), parties };
    if (route.kind === 'trunk') {
      // The extension placing the call shows its caller ID; after a forward to an outside number, the forwarding one.
      await placeOutboundCall({ ...bridgeDeps, trunks: deps.trunks! }, { ...common, tenantId, extension: route.forwards?.at(-1)?.from ?? origin.extension, route: route.route });
      return;
    }
    const forwarding = new Forwarding(deps.router, tenantId);
    // A busy / no-answer / unreachable forward to an outside number goes out as a dialled one does.
    const trunks = deps.trunks;
    const outbound = trunks
      ? (hop: Extract<Hop, { kind: 'outbound' }>, sdp: string) =>
          placeOutboundCall({ ...bridgeDeps, trunks }, { ...common, parties: { ...parties, extensionParties: callerSide }, offerSdp: sdp, tenantId, extension: hop.forwards.at(-1)?.from ?? origin.extension, route: hop.decision.route })
      : undefined;
    const ring = { hop: route.hop, forwardAfter: forwarding.after.bind(forwarding), proxyFor: natProxy, ...(outbound ? { outbound } : {}) };
    await bridgeCall(bridgeDeps, { ...common, ring });
  };
}
