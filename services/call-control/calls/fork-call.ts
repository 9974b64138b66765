// The caller's side of ringing an extension: every phone of the extension at
// once (fork.ts), and when they are busy, do not answer or cannot be
// reached, the extension's forwarding (forwarding.ts) to the next hop, all
// inside the caller's one INVITE transaction, one licence slot and one
// rtpengine session (A's SDP is offered again for every phone, each its own
// ng via-branch; the answer names the answering phone's To tag and branch). The caller hears 180 once, the first early
// media (183 with SDP, RFC 3960) of any phone, 181 Call Is Being Forwarded
// (RFC 3261 §21.1.3) at each forward, and the final answer: 200 from the
// phone that answered, or the failure this function chose.
import type { Logger } from '../../common/logger';
import { SYSTEM_REASONS } from '../cdr/cdr-machine';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import type { HangupSide } from '../cdr/cdr-record';
import { uriParts } from '../registrar/sip-address';
import { Fork, type ForkOutcome } from './fork';
import { diversionHeader, ringTimeFor, type ForwardStep, type Hop } from './forwarding';
import type { MediaLegs } from './media-legs';
import type { CallRecording } from './recording';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for requests, responses and dialogs
type Loose = any;

export type RingHop = Extract<Hop, { kind: 'ring' }>;

export interface RingDeps {
  srf: Loose;
  recorder: CdrRecorder;
  /** The next hop after a failed one (Forwarding.after), undefined when the extension does not forward. */
  forwardAfter(hop: RingHop, why: 'busy' | 'no-answer' | 'unreachable'): Hop | undefined;
  /**
   * Places the call to an external forward target as a dialled external number
   * goes (trunks/outbound-call.ts), answering A itself; without it such a forward is refused.
   */
  outbound?(hop: Extract<Hop, { kind: 'outbound' }>, offerSdp: string): Promise<void>;
  /** Next hop towards a phone behind NAT (invite-handler's natProxy). */
  proxyFor(contact: string, source: { address: string; port: number; transport: string }): string | undefined;
  log: Logger;
}

export interface RingCall {
  id: string;
  req: Loose;
  res: Loose;
  legs: MediaLegs;
  hop: RingHop;
  ringTimeoutMs: number;
  cancelled(): boolean;
  recording?: CallRecording;
}

export type RingResult =
  /**
   * `offerSdp`: what the answering phone was offered (rtpengine's ports on its side, for the recording's channel map);
   * `number`: the extension whose phone answered, after any busy / no-answer / unreachable forward (issue 16 item 10).
   */
  | { kind: 'connected'; uas: Loose; uac: Loose; number: string; offerSdp?: string }
  /** A's final response is sent; the CDR's hangup says this. */
  | { kind: 'ended'; side: HangupSide; status: number; reason?: string }
  /** The call went on out through a trunk (RingDeps.outbound), which ends it too. */
  | { kind: 'handed-over' };

const noop = () => undefined;

/** The failure A gets when the last hop's phones failed and nothing forwards: status, side and the CDR's reason. */
export function endOf(o: Exclude<ForkOutcome, { kind: 'answered' | 'aborted' }>): {
  side: HangupSide;
  status: number;
  phrase: string;
  reason?: string;
  header?: string;
} {
  if (o.kind === 'no-answer')
    return {
      side: 'system',
      status: 480,
      phrase: 'Temporarily Unavailable',
      reason: SYSTEM_REASONS.ringTimeout,
      header: 'SIP;cause=480;text="ring timeout"',
    };
  // A phone's own 503 goes back as 503 with a Reason saying it was the phone's (the CDR: failed, not no-answer).
  if (o.kind === 'unreachable' && o.status === 503)
    return {
      side: 'callee',
      status: 503,
      phrase: 'Service Unavailable',
      reason: 'phone-unavailable',
      header: 'SIP;cause=503;text="the phone answered 503"',
    };
  if (o.kind === 'unreachable') return { side: 'callee', status: 480, phrase: 'Temporarily Unavailable', reason: 'extension-unreachable' };
  return { side: 'callee', status: o.status, phrase: o.reason ?? (o.kind === 'busy' ? 'Busy Here' : 'Call Failed') };
}

export async function ringCallee(deps: RingDeps, call: RingCall): Promise<RingResult> {
  const { id, req, res, legs } = call;
  const log = deps.log.child({ callId: id });
  const domain = safeHost(String(req.uri));
  let fork: Fork | undefined;
  // rtpengine branch ids (ng via-branch) of this call's phones, over all hops, and what each was offered.
  let branches = 0;
  const via: string[] = [];
  const offers = new Map<string, string>();
  let ringingSent = false;
  let early: Promise<unknown> = Promise.resolve();
  let earlySent = false;
  const onCancel = () => fork?.abort();
  req.on('cancel', onCancel);
  const sendA = (status: number, phrase: string, opts: Record<string, unknown> = {}) => {
    if (!res.finalResponseSent) res.send(status, phrase, opts);
  };
  const onProvisional = (r: Loose, branch: number) => {
    if (r.status === 183 && r.body && !earlySent) {
      earlySent = true;
      // The first phone with early media is heard (RFC 3960); the rest keep ringing silently.
      early = legs
        .answerFromB(r.body, r.getParsedHeader('To').params.tag, r.source_address, {}, via[branch])
        .then((sdp) => {
          deps.recorder.event(id, { type: 'early-media', at: Date.now() });
          sendA(183, 'Session Progress', { body: sdp, headers: { 'Content-Type': 'application/sdp' } });
        })
        .catch((err: unknown) => log.warn('early media not passed', { branch, err: err instanceof Error ? err.message : String(err) }));
      return;
    }
    if (ringingSent || earlySent) return;
    ringingSent = true;
    deps.recorder.event(id, { type: 'ringing', at: Date.now() });
    sendA(180, 'Ringing');
  };
  const finish = (side: HangupSide, status: number, phrase: string, reason?: string, header?: string): RingResult => {
    sendA(status, phrase, header ? { headers: { Reason: header } } : {});
    return { kind: 'ended', side, status, ...(reason ? { reason } : {}) };
  };

  try {
    let hop = call.hop;
    for (;;) {
      if (call.cancelled()) return finish('caller', 487, 'Request Terminated');
      const diversion = diversionHeader(hop.forwards, domain);
      // The phones, then what rings with them (an FMC mobile through a gateway port: fmc/mobile-ring.ts).
      const targets = [
        ...hop.bindings.map((b) => ({ contact: b.contact, ...optional('proxy', deps.proxyFor(b.contact, b.source)) })),
        ...(hop.extra ?? []),
      ];
      via.length = 0;
      for (let i = 0; i < targets.length; i++) via.push(`b${++branches}`);
      fork = new Fork({
        srf: deps.srf,
        branches: targets,
        sdpFor: async (i) => {
          const sdp = await legs.offerFromA(String(req.body), via[i]);
          offers.set(via[i]!, sdp);
          return sdp;
        },
        ...(diversion ? { headers: { Diversion: diversion } } : {}),
        ...optional('callingNumber', req.callingNumber as string | undefined),
        ...optional('callingName', req.callingName as string | undefined),
        ringMs: ringTimeFor(hop, call.ringTimeoutMs),
        onProvisional,
        log,
      });
      if (call.cancelled()) fork.abort();
      const o = await fork.outcome;
      if (o.kind === 'answered') {
        // The call now belongs to the extension that answered, not the one dialled: its outbound permission
        // governs a transfer, its recording policy applies, feature codes and the live view name it (issue 16 item 10).
        call.recording?.answeredBy(hop.number);
        return await answer(deps, call, o.uac, early, via[o.branch], offers.get(via[o.branch] ?? ''), hop.number, log);
      }
      if (o.kind === 'aborted' || call.cancelled()) return finish('caller', 487, 'Request Terminated');
      // A ring time in which no phone said anything at all: unreachable rather than unanswered.
      const why = o.kind === 'no-answer' ? (o.anyResponse ? 'no-answer' : 'unreachable') : o.kind;
      const next = why === 'failed' ? undefined : deps.forwardAfter(hop, why);
      if (!next) {
        const e = endOf(o);
        log.info('callee not reached', { extension: hop.number, outcome: o.kind, status: e.status });
        return finish(e.side, e.status, e.phrase, e.reason, e.header);
      }
      recordForwards(deps.recorder, id, next.forwards.slice(hop.forwards.length));
      log.info('call forwarded', { from: hop.number, to: next.number, why, next: next.kind });
      if (next.kind === 'refuse')
        return finish(next.status === 486 || next.status === 480 ? 'callee' : 'system', next.status, next.reason, next.code);
      sendA(181, 'Call Is Being Forwarded');
      if (next.kind === 'outbound') {
        if (!deps.outbound) return finish('system', 404, 'Outbound calls are not available', 'outbound-not-available');
        // Its own rtpengine branch: the phones' branches may hold an early-media answer.
        const branch = `b${++branches}`;
        const sdp = await legs.offerFromA(String(req.body), branch);
        legs.branch = branch;
        await deps.outbound(next, sdp);
        return { kind: 'handed-over' };
      }
      hop = next;
    }
  } finally {
    req.removeListener('cancel', onCancel);
  }
}

export function recordForwards(recorder: CdrRecorder, id: string, steps: readonly ForwardStep[]): void {
  for (const f of steps) recorder.event(id, { type: 'forward', ...f });
}

/** The winner's 2xx: rtpengine's answer with its To tag, then 200 to A (srf.createUAS). */
async function answer(
  deps: RingDeps,
  call: RingCall,
  uac: Loose,
  early: Promise<unknown>,
  viaBranch: string | undefined,
  offerSdp: string | undefined,
  number: string,
  log: Logger,
): Promise<RingResult> {
  const { req, res, legs } = call;
  const hangUpB = (why: string) => {
    log.info('answered phone hung up', { why });
    uac.destroy().catch(noop);
  };
  // B's requests wait until A's dialog exists (a re-INVITE from B before A's ACK).
  uac.queueRequests = true;
  try {
    await early; // an early-media answer still in flight must not land after the final one
    const sdpA = await legs.answerFromB(
      uac.remote.sdp,
      uac.sip.remoteTag,
      uac.res?.source_address,
      call.recording?.answerOptions(),
      viaBranch,
    );
    if (call.cancelled() || res.finalResponseSent) {
      hangUpB('caller left');
      if (!res.finalResponseSent) res.send(487, 'Request Terminated', {});
      return { kind: 'ended', side: 'caller', status: 487 };
    }
    const uas = await deps.srf.createUAS(req, res, { localSdp: sdpA, headers: {} });
    uas.once('ack', () => (uac.queueRequests = false));
    uac.other = uas;
    uas.other = uac;
    return { kind: 'connected', uas, uac, number, ...(offerSdp ? { offerSdp } : {}) };
  } catch (err) {
    hangUpB('answer failed');
    log.warn('answer to the caller failed', { err: err instanceof Error ? err.message : String(err) });
    if (call.cancelled()) return { kind: 'ended', side: 'caller', status: 487 };
    if (!res.finalResponseSent) res.send(503, 'Media Unavailable', {});
    return { kind: 'ended', side: 'system', status: 503, reason: 'answer-failed' };
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}

function safeHost(uri: string): string {
  try {
    return uriParts(uri).host || 'localhost';
  } catch {
    return 'localhost';
  }
}
