// One admitted call from A to B: the B2BUA legs (every phone of an
// extension rung at once with its forwarding, fork-call.ts), media through
// rtpengine on both sides, the CDR's events; whichever way it ends (BYE
// from either side, CANCEL, busy, no answer, our ring timer, errors) it ends
// through the Call's one end() (call/call.ts), which frees what was taken.
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import type { HangupSide } from '../cdr/cdr-record';
import type { Call } from '../call/call';
import { ringCallee, type RingDeps, type RingHop } from './fork-call';
import type { LiveCalls } from './live-calls';
import type { MediaLegs } from './media-legs';
import type { CallRecording } from './recording';
import type { TransferHook } from './transfer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses, dialogs and createB2BUA's options
type Loose = any;

export interface BridgeDeps {
  srf: Loose;
  recorder: CdrRecorder;
  /** Answered calls are registered here until they end. */
  live?: LiveCalls;
  /** REFER handling for answered calls (transfer.ts). */
  transfers?: TransferHook;
  log: Logger;
}

export interface BridgeCall {
  /** The call: its end() is the one teardown, whatever this flow took is deferred on it. */
  call: Call;
  req: Loose;
  res: Loose;
  legs: MediaLegs;
  /** rtpengine's SDP for B, from A's offer. */
  offerSdp: string;
  /** Ring an extension's phones in parallel, with its forwarding (fork-call.ts). */
  ring: { hop: RingHop } & Pick<RingDeps, 'forwardAfter' | 'proxyFor' | 'outbound'>;
  ringTimeoutMs: number;
  /** Set by the caller leg's CANCEL listener, which runs from the first moment. */
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
  if (typeof s === 'number' && s >= 300 && s < 700 && s !== 401 && s !== 407)
    return {
      status: s,
      ...(typeof (err as { reason?: unknown }).reason === 'string' ? { reason: (err as { reason: string }).reason } : {}),
    };
  return { status: 480, reason: 'Temporarily Unavailable' };
}

export async function bridgeCall(deps: BridgeDeps, bc: BridgeCall): Promise<void> {
  const { call, req, res, legs } = bc;
  const connected = await ringCallee(
    {
      srf: deps.srf,
      recorder: deps.recorder,
      forwardAfter: bc.ring.forwardAfter,
      proxyFor: bc.ring.proxyFor,
      ...(bc.ring.outbound ? { outbound: bc.ring.outbound } : {}),
      log: deps.log,
    },
    {
      id: call.id,
      req,
      res,
      legs,
      hop: bc.ring.hop,
      ringTimeoutMs: bc.ringTimeoutMs,
      cancelled: bc.cancelled,
      ...(bc.recording ? { recording: bc.recording } : {}),
    },
  );
  if (connected.kind === 'ended') return call.end(connected.side, connected.status, connected.reason);
  if (connected.kind === 'handed-over') return; // forwarded out through a trunk: that flow carries the call on
  // The recording's channel map names the ports the answering phone was offered (each forked phone has its own).
  const offerSdp = connected.offerSdp ?? bc.offerSdp;
  await joinLegs(
    deps,
    {
      call,
      legs,
      offerSdp,
      onAnswered: bc.onAnswered,
      ...(bc.recording ? { recording: bc.recording } : {}),
      ...(bc.parties ? { parties: { ...bc.parties, callee: connected.number } } : {}),
    },
    connected,
  );
}

/** Who talks to whom; `extensionParties` names the sides that are this tenant's extensions (feature codes, REFER). */
export interface CallParties {
  tenantId: number;
  caller: string;
  callee: string;
  extensionParties?: ReadonlyArray<'caller' | 'callee'>;
}

export interface AnsweredCall {
  call: Call;
  legs: MediaLegs;
  /** The SDP B was given (rtpengine's, from A's offer). */
  offerSdp: string;
  onAnswered(): void;
  recording?: CallRecording;
  parties?: CallParties;
  trunk?: string;
}

/**
 * Both legs are up (B answered, A got its 200): the CDR's answer, BYE from
 * either side ends the other, re-INVITEs pass through rtpengine, and the call
 * joins the live registry. Shared by extension calls and trunk calls
 * (trunks/outbound-call.ts), so every feature on answered calls serves both.
 */
export async function joinLegs(deps: BridgeDeps, answered: AnsweredCall, dialogs: { uas: Loose; uac: Loose }): Promise<void> {
  const { call, legs } = answered;
  const { id } = call;
  const { uas, uac } = dialogs;
  const log = call.log;
  const end = (side: HangupSide, sipStatus?: number) => call.end(side, sipStatus);
  deps.recorder.event(id, { type: 'answer', at: Date.now(), ...(answered.trunk !== undefined ? { trunk: answered.trunk } : {}) });
  call.progress('answered');
  if (answered.parties) call.cdr.answeredBy = answered.parties.callee;
  answered.onAnswered();
  // RFC 3261 §15: a BYE ends the dialog; the B2BUA ends the other leg with its own BYE.
  // A BYE can arrive in the same read as the ACK, before this code runs (srf then already
  // emitted 'destroy' to nobody): a dialog no longer connected has ended.
  if (!uas.connected || !uac.connected) {
    const callerLeft = !uas.connected;
    (callerLeft ? uac : uas).destroy().catch(noop);
    await end(callerLeft ? 'caller' : 'callee', 200);
    return;
  }
  const live = deps.live;
  if (live && answered.parties) {
    live.add({
      id,
      ...answered.parties,
      answeredAt: Date.now(),
      uas,
      uac,
      legs,
      sdpToB: answered.offerSdp,
      ...(answered.recording ? { recording: answered.recording } : {}),
      end: (side, sipStatus, reason) => call.end(side, sipStatus, reason),
    });
    call.defer('live entry', () => live.remove(id));
  }
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
  void answered.recording?.label(legs, answered.offerSdp);
  uac.on('modify', (r: Loose, s: Loose) => void reInvite(legs, 'B', r, s, uas, log));
  deps.transfers?.attach(call);
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
