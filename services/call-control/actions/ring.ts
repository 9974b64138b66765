// Rings members (a ring group's extensions) for a feature and connects the
// first to answer: `all` forks every member's phones at once, `hunt` one
// member after another within the group's time. Before the caller is
// answered the members ring inside the caller's INVITE (180 to the caller,
// each phone its own rtpengine branch, as fork-call.ts rings an extension);
// after the PBX answered it (an IVR option), the members get an offer on a
// new rtpengine session and the caller is re-INVITEd onto it when one
// answers (RFC 3264 §8; rtpengine 10.5 has no `connect`, so as transfer.ts
// joins parties). Either way the answered member and the caller are joined
// as any bridged call (bridge-call.ts joinLegs: BYE either way, re-INVITEs,
// live calls, transfers).
import type { Call } from '../call/call';
import { SrfCallerLeg, SrfDialogLeg } from '../call/srf-legs';
import { deleteMedia } from '../calls/admit-call';
import { joinLegs, type BridgeDeps } from '../calls/bridge-call';
import type { RouterStores } from '../calls/call-router';
import { Fork, type ForkOutcome } from '../calls/fork';
import { aorKey } from '../calls/forwarding';
import { MediaLegs } from '../calls/media-legs';
import { joinSession } from '../calls/transfer-media';
import { sendrecv } from '../calls/transfer-sdp';
import { initialOfferPolicy, voiceCodecs } from '../media/codec-policy';
import type { RtpengineMedia } from '../media/rtpengine-media';
import { natProxy, type Binding } from '../registrar/location-service';
import type { RingOptions, RingOutcome, RingTarget } from './actions';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for dialogs
type Loose = any;

export interface RingDeps extends BridgeDeps {
  router: Pick<RouterStores, 'extension' | 'dnd' | 'bindings'>;
  media: RtpengineMedia;
  /** Counts a call answered (health's calls.answered). */
  onAnswered(): void;
}

type Why = 'busy' | 'no-answer' | 'unreachable' | 'dnd' | 'failed';
interface Member {
  extension: string;
  bindings: Binding[];
  timeoutMs: number | undefined;
  /** Rings this long after the round starts (ring all: after the others; hunt: after its turn began). */
  delayMs: number;
}
type Attempt = { kind: 'answered'; extension: string; leg: SrfDialogLeg } | { kind: 'ended' } | { kind: 'failed'; why: Why };

let seq = 0;

export async function ring(deps: RingDeps, call: Call, targets: readonly RingTarget[], opts: RingOptions): Promise<RingOutcome> {
  const a = call.a;
  if (!(a instanceof SrfCallerLeg) || !call.media) throw new Error('ring needs the caller’s SIP leg and its media session');
  const tried: Array<{ extension: string; why: Why }> = [];
  const members: Member[] = [];
  const skip = opts.skip ?? { dnd: true, busy: true, unregistered: true };
  for (const t of targets) {
    const ext = deps.router.extension(call.tenantId, t.extension);
    if (!ext || !ext.enabled) tried.push({ extension: t.extension, why: 'failed' });
    else if (skip.dnd && deps.router.dnd(ext.id)) tried.push({ extension: t.extension, why: 'dnd' });
    else if (skip.busy && deps.live?.list(call.tenantId).some((c) => c.caller === t.extension || c.callee === t.extension)) tried.push({ extension: t.extension, why: 'busy' });
    else {
      // A member with no phone registered cannot ring whatever the group says.
      const bindings = deps.router.bindings(aorKey(call.tenantId, t.extension));
      if (bindings.length === 0) tried.push({ extension: t.extension, why: 'unreachable' });
      else members.push({ extension: t.extension, bindings, timeoutMs: t.timeoutMs, delayMs: t.delayMs ?? 0 });
    }
  }
  const deadline = Date.now() + opts.timeoutMs;
  const rounds = opts.strategy === 'all' ? [members] : members.map((m) => [m]);
  for (const round of rounds) {
    if (round.length === 0) continue;
    if (call.ended) return { kind: 'ended' };
    const left = deadline - Date.now();
    if (left <= 0) {
      for (const m of round) tried.push({ extension: m.extension, why: 'no-answer' });
      continue;
    }
    // Hunt: a member's own ring time starts when its delay is over.
    const ringMs = opts.strategy === 'all' ? left : Math.min(left, round[0]!.delayMs + (round[0]!.timeoutMs ?? left));
    const r = await attempt(deps, call, a, round, ringMs);
    if (r.kind === 'ended') return r;
    if (r.kind === 'answered') return { kind: 'answered', extension: r.extension, leg: r.leg };
    for (const m of round) tried.push({ extension: m.extension, why: r.why });
  }
  return call.ended ? { kind: 'ended' } : { kind: 'not-answered', tried };
}

async function attempt(deps: RingDeps, call: Call, a: SrfCallerLeg, round: Member[], ringMs: number): Promise<Attempt> {
  const legs = call.media!;
  const log = call.log;
  const branches = round.flatMap((m) => m.bindings.map((b) => ({ member: m, contact: b.contact, proxy: natProxy(b.contact, b.source) })));
  const answeredByPbx = a.state === 'answered';
  const via = branches.map(() => `g${++seq}`);
  const offers = new Map<string, string>();
  let mediaId: string | undefined;
  let sharedSdp: string | undefined;
  if (answeredByPbx) {
    // A fresh offer from the caller's SDP on a new session; the caller moves onto it at the answer.
    mediaId = `${call.id}~r${++seq}`;
    const sdpA = sendrecv(String(a.dialog.remote.sdp));
    sharedSdp = (await deps.media.offer({ callId: mediaId, fromTag: legs.tagA, sdp: sdpA, codecs: initialOfferPolicy(sdpA), ...(a.req.source_address ? { sipSourceAddress: a.req.source_address } : {}) })).sdp;
  }
  let ringing = false;
  const fork = new Fork({
    srf: deps.srf,
    branches: branches.map((b) => ({ contact: b.contact, ...(b.proxy ? { proxy: b.proxy } : {}), ...(b.member.delayMs > 0 ? { delayMs: b.member.delayMs } : {}) })),
    ...(sharedSdp !== undefined
      ? { sdp: sharedSdp }
      : {
          sdpFor: async (i: number) => {
            const sdp = await legs.offerFromA(String(a.req.body), via[i]);
            offers.set(via[i]!, sdp);
            return sdp;
          },
        }),
    ...(call.caller.number ? { callingNumber: call.caller.number } : {}),
    ringMs,
    onProvisional: (r: Loose) => {
      if (answeredByPbx || ringing || r.status !== 180) return;
      ringing = true;
      a.provisional(180, 'Ringing');
      deps.recorder.event(call.id, { type: 'ringing', at: Date.now() });
    },
    log,
  });
  const offEnd = call.on('ended', () => fork.abort());
  const offBye = a.on('bye', () => fork.abort());
  let o: ForkOutcome;
  try {
    o = await fork.outcome;
  } finally {
    offEnd();
    offBye();
  }
  if (o.kind === 'aborted' || call.ended || a.cancelled) {
    if (mediaId) void deleteMedia(deps.media, mediaId, log);
    a.reject(487, 'Request Terminated');
    await call.end('caller', a.cancelled ? 487 : 200);
    return { kind: 'ended' };
  }
  if (o.kind !== 'answered') {
    if (mediaId) void deleteMedia(deps.media, mediaId, log);
    return { kind: 'failed', why: o.kind === 'no-answer' ? (o.anyResponse ? 'no-answer' : 'unreachable') : o.kind };
  }
  const uac = o.uac;
  const member = branches[o.branch]!.member;
  try {
    let offerSdp: string;
    if (!answeredByPbx) {
      uac.queueRequests = true;
      const sdpA = await legs.answerFromB(uac.remote.sdp, uac.sip.remoteTag, uac.res?.source_address, {}, via[o.branch]);
      await a.answer(sdpA);
      a.dialog.once('ack', () => (uac.queueRequests = false));
      offerSdp = offers.get(via[o.branch]!) ?? '';
    } else {
      await joinSession(deps.media, a.dialog, uac, mediaId!);
      const moved = new MediaLegs(deps.media, mediaId!, legs.tagA, String(a.req.source_address ?? ''));
      moved.tagB = uac.sip.remoteTag;
      moved.sdpToA = a.dialog.local.sdp;
      moved.negotiated.A = voiceCodecs(String(a.dialog.local.sdp ?? ''));
      moved.negotiated.B = voiceCodecs(String(uac.remote.sdp ?? ''));
      const old = legs.mediaId;
      call.media = moved;
      call.defer('ring media session', () => void deleteMedia(deps.media, moved.mediaId, log));
      // The PBX's own session (prompts, digits) is done with.
      void deleteMedia(deps.media, old, log);
      offerSdp = sharedSdp!;
    }
    await joinLegs(deps, { call, legs: call.media!, offerSdp, onAnswered: deps.onAnswered, parties: { tenantId: call.tenantId, caller: call.caller.number, callee: member.extension, extensionParties: call.direction === 'inbound' ? ['callee'] : ['caller', 'callee'] } }, { uas: a.dialog, uac });
    log.info('member answered', { extension: member.extension, afterPbxAnswer: answeredByPbx });
    return { kind: 'answered', extension: member.extension, leg: new SrfDialogLeg(uac, member.extension) };
  } catch (err) {
    log.warn('joining the member failed', { extension: member.extension, err: err instanceof Error ? err.message : String(err) });
    uac.destroy().catch(() => undefined);
    if (mediaId) void deleteMedia(deps.media, mediaId, log);
    await call.end('system', 503, 'answer-failed');
    return { kind: 'ended' };
  }
}
