// One admitted call from A to B: the B2BUA legs (every phone of an
// extension rung at once with its forwarding, fork-call.ts; one target through
// drachtio-srf's createB2BUA), media through rtpengine on both sides, the CDR's events, and
// the tear-down that frees everything exactly once whichever way it ends
// (BYE from either side, CANCEL, busy, no answer, our ring timer, errors).
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import { SYSTEM_REASONS } from '../cdr/cdr-machine';
import type { HangupSide } from '../cdr/cdr-record';
import { ringCallee, type RingDeps, type RingHop, type RingResult } from './fork-call';
import type { LiveCalls } from './live-calls';
import type { MediaLegs } from './media-legs';
import type { CallRecording } from './recording';
import type { TransferHook } from './transfer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses, dialogs and createB2BUA's options
type Loose = any;

export interface BridgeDeps {
  srf: Loose;
  recorder: CdrRecorder;
  /** Frees the ledger slot and the media session; called once per call. */
  release(id: string): Promise<void>;
  /** Answered calls are registered here until they end. */
  live?: LiveCalls;
  /** REFER handling for answered calls (transfer.ts). */
  transfers?: TransferHook;
  log: Logger;
}

export interface BridgeCall {
  id: string;
  req: Loose;
  res: Loose;
  legs: MediaLegs;
  /** rtpengine's SDP for B, from A's offer. */
  offerSdp: string;
  /** Request-URI for B (the phone's Contact) and, behind NAT, the next hop (its REGISTER's source). */
  target?: string;
  proxy?: string;
  /** Instead of one target: ring an extension's phones in parallel, with its forwarding (fork-call.ts). */
  ring?: { hop: RingHop } & Pick<RingDeps, 'forwardAfter' | 'proxyFor' | 'outbound'>;
  ringTimeoutMs: number;
  /** Set by the INVITE handler's CANCEL listener, which runs from the first moment. */
  cancelled: () => boolean;
  onAnswered(): void;
  /** Decides at B's final answer whether the call is recorded (recording.ts). */
  recording?: CallRecording;
  /** For the live view: who talks to whom. */
  parties?: CallParties;
}

const noop = () => undefined;

/** The status A gets when B's leg failed (RFC 3261 §16.7 spirit: the best final response, never a blanket 500). */
export function statusForA(err: unknown): { status: number; reason?: string } {
  if (err instanceof AppError) return { status: 503, reason: 'Media Unavailable' };
  const s = (err as { status?: unknown }).status;
  // A challenge from the phone is meant for us, not for A; an unanswerable phone is "unavailable".
  if (typeof s === 'number' && s >= 300 && s < 700 && s !== 401 && s !== 407) return { status: s, ...(typeof (err as { reason?: unknown }).reason === 'string' ? { reason: (err as { reason: string }).reason } : {}) };
  return { status: 480, reason: 'Temporarily Unavailable' };
}

/** What a flow holds besides the licence slot and media: a trunk channel, named in the CDR. */
export interface EndExtras {
  trunk?: () => string | undefined;
  free?: () => void;
  fields?: () => Record<string, unknown>;
}

/**
 * The call's one ending, whichever way it comes: the CDR first, at the moment
 * the call ended (freeing media and the slot may take a round trip), then what
 * the flow holds, the licence slot and the media.
 */
export function endOnce(deps: BridgeDeps, id: string, log: Logger, x: EndExtras = {}): (side: HangupSide, sipStatus?: number, reason?: string) => Promise<void> {
  let ended = false;
  return async (side, sipStatus, reason) => {
    if (ended) return;
    ended = true;
    deps.live?.remove(id);
    const trunk = x.trunk?.();
    try {
      deps.recorder.event(id, { type: 'hangup', at: Date.now(), side, ...(sipStatus !== undefined ? { sipStatus } : {}), ...(reason !== undefined ? { reason } : {}), ...(trunk !== undefined ? { trunk } : {}) });
    } catch (err) {
      // The row stays in-progress (the recorder keeps it in memory); the slot and media must still be freed.
      log.error('cdr write failed', { err: err instanceof Error ? err.message : String(err) });
    }
    x.free?.();
    await deps.release(id);
    log.info('call ended', { side, sipStatus, reason, ...x.fields?.() });
  };
}

export async function bridgeCall(deps: BridgeDeps, call: BridgeCall): Promise<void> {
  const { id, req, res, legs } = call;
  const log = deps.log.child({ callId: id });
  const end = endOnce(deps, id, log);
  const connected = call.ring
    ? await ringCallee(
        { srf: deps.srf, recorder: deps.recorder, forwardAfter: call.ring.forwardAfter, proxyFor: call.ring.proxyFor, ...(call.ring.outbound ? { outbound: call.ring.outbound } : {}), log: deps.log },
        { id, req, res, legs, hop: call.ring.hop, ringTimeoutMs: call.ringTimeoutMs, cancelled: call.cancelled, ...(call.recording ? { recording: call.recording } : {}) },
      )
    : await connectTarget(deps, call, log);
  if (connected.kind === 'ended') return end(connected.side, connected.status, connected.reason);
  if (connected.kind === 'handed-over') return; // forwarded out through a trunk: that flow ended the call
  // The recording's channel map names the ports the answering phone was offered (each forked phone has its own).
  await joinLegs(deps, { ...call, offerSdp: connected.offerSdp ?? call.offerSdp }, connected, end);
}

/** What joinLegs needs of an answered call. */
/** Who talks to whom; `extensionParties` names the sides that are this tenant's extensions (feature codes, REFER). */
export interface CallParties {
  tenantId: number;
  caller: string;
  callee: string;
  extensionParties?: ReadonlyArray<'caller' | 'callee'>;
}

export type AnsweredCall = Pick<BridgeCall, 'id' | 'legs' | 'offerSdp' | 'onAnswered' | 'recording' | 'parties'> & { trunk?: string };

/**
 * Both legs are up (B answered, A got its 200): the CDR's answer, BYE from
 * either side ends the other, re-INVITEs pass through rtpengine, and the call
 * joins the live registry. Shared by extension calls and trunk calls
 * (trunks/outbound-call.ts), so every feature on answered calls serves both.
 */
export async function joinLegs(deps: BridgeDeps, call: AnsweredCall, dialogs: { uas: Loose; uac: Loose }, end: (side: HangupSide, sipStatus?: number, reason?: string) => Promise<void>): Promise<void> {
  const { id, legs } = call;
  const { uas, uac } = dialogs;
  const log = deps.log.child({ callId: id });
  deps.recorder.event(id, { type: 'answer', at: Date.now(), ...(call.trunk !== undefined ? { trunk: call.trunk } : {}) });
  call.onAnswered();
  // RFC 3261 §15: a BYE ends the dialog; the B2BUA ends the other leg with its own BYE.
  // A BYE can arrive in the same read as the ACK, before this code runs (srf then already
  // emitted 'destroy' to nobody): a dialog no longer connected has ended.
  if (!uas.connected || !uac.connected) {
    const callerLeft = !uas.connected;
    (callerLeft ? uac : uas).destroy().catch(noop);
    await end(callerLeft ? 'caller' : 'callee', 200);
    return;
  }
  if (deps.live && call.parties) deps.live.add({ id, ...call.parties, answeredAt: Date.now(), uas, uac, legs, sdpToB: call.offerSdp, ...(call.recording ? { recording: call.recording } : {}) });
  uas.on('destroy', () => {
    uac.destroy().catch(noop);
    void end('caller', 200);
  });
  uac.on('destroy', () => {
    uas.destroy().catch(noop);
    void end('callee', 200);
  });
  uas.on('modify', (r: Loose, s: Loose) => void reInvite(legs, 'A', r, s, uac, log));
  // Not awaited: labelling the capture must not hold up the call; a failure is logged in label().
  void call.recording?.label(legs, call.offerSdp);
  uac.on('modify', (r: Loose, s: Loose) => void reInvite(legs, 'B', r, s, uas, log));
  deps.transfers?.attach(id, end);
}

/** One target through srf's createB2BUA (a single phone or a trunk), with our ring timer. */
async function connectTarget(deps: BridgeDeps, call: BridgeCall, log: Logger): Promise<RingResult> {
  const { id, req, res, legs } = call;
  let uacReq: Loose;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    uacReq?.cancel?.(noop);
  }, call.ringTimeoutMs);
  try {
    const dialogs = await deps.srf.createB2BUA(
      req,
      res,
      call.target ?? '',
      {
        localSdpB: call.offerSdp,
        localSdpA: (sdpB: string, resB: Loose) => {
          // srf skips cbProvisional for an 18x with SDP; early media is seen here.
          if (resB.status > 100 && resB.status < 200) deps.recorder.event(id, { type: 'early-media', at: Date.now() });
          const recording = resB.status >= 200 ? call.recording?.answerOptions() : undefined;
          return legs.answerFromB(sdpB, resB.getParsedHeader('To').params.tag, resB.source_address, recording);
        },
        // We choose the final response A gets (ring timeout → 480, a phone's 401 → 480).
        passFailure: false,
        ...(call.proxy ? { proxy: call.proxy } : {}),
      },
      {
        cbRequest: (err: unknown, r: Loose) => {
          if (err) return;
          uacReq = r;
          if (timedOut) r.cancel(noop);
        },
        cbProvisional: (r: Loose) => {
          if (r.status === 180) deps.recorder.event(id, { type: 'ringing', at: Date.now() });
        },
      },
    );
    return { kind: 'connected', ...dialogs };
  } catch (err) {
    if (call.cancelled()) return { kind: 'ended', side: 'caller', status: 487 };
    if (timedOut) {
      if (!res.finalResponseSent) res.send(480, 'Temporarily Unavailable', { headers: { Reason: 'SIP;cause=480;text="ring timeout"' } });
      return { kind: 'ended', side: 'system', status: 480, reason: SYSTEM_REASONS.ringTimeout };
    }
    const a = statusForA(err);
    if (!res.finalResponseSent) res.send(a.status, a.reason, {});
    log.info('callee leg failed', { status: (err as { status?: unknown }).status, sent: a.status, err: err instanceof AppError ? err.code : undefined });
    return { kind: 'ended', side: 'callee', status: (err as { status?: number }).status ?? a.status };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * RFC 3264 §8 re-offer (hold with a=sendonly, resume with a=sendrecv, new
 * codecs): through rtpengine to the other side, its answer back through
 * rtpengine. rtpengine keeps the direction attributes, so the far phone sees
 * sendonly and answers recvonly as §8.4 asks.
 */
export async function reInvite(legs: MediaLegs, side: 'A' | 'B', req: Loose, res: Loose, other: Loose, log: Logger): Promise<void> {
  try {
    if (!req.body) {
      res.send(488, 'Offer Required', {});
      return;
    }
    const toOther = await legs.reOffer(side, req.body, req.source_address);
    const answer: string = await other.modify(toOther);
    const back = await legs.reAnswer(side, answer);
    res.send(200, { body: back, headers: { 'Content-Type': 'application/sdp' } });
  } catch (err) {
    log.warn('re-INVITE failed', { side, err: err instanceof Error ? err.message : String(err) });
    // RFC 3261 §14.2: a failed re-INVITE leaves the session as it was.
    res.send(488, 'Not Acceptable Here', {});
  }
}
