// Pure builders for rtpengine ng offer/answer dictionaries (rtpengine
// README "ng control protocol"), kept apart from the socket so every flag
// choice is unit-tested.
import net from 'node:net';
import type { NgDict } from './ng-client';

/** What the receiving side of an offer gets to see, codec-wise. */
export interface CodecPolicy {
  /** Put PCMA, then PCMU first (G.711 A-law is the norm on Russian networks). Default true. */
  g711First?: boolean;
  /**
   * Codecs offered to this side even when the offerer lacks them; rtpengine
   * transcodes if this side picks one (RFC 3264 §6: the answerer chooses).
   * `['G729']` for a GSM gateway that speaks nothing else.
   */
  transcode?: string[];
  /** Codecs never offered to this side. */
  strip?: string[];
}

export interface SideOptions {
  /**
   * Source address of the SIP message that carried this SDP. Set it for a
   * phone behind NAT: rtpengine then sends media there instead of to the
   * private address in the SDP (ng `SIP-source-address` with `received from`).
   */
  sipSourceAddress?: string;
}

export interface BaseOptions {
  record?: boolean;
  /** Free text rtpengine writes into the recording's metadata file. */
  recordingMetadata?: string;
  /**
   * `inject-DTMF` so playDtmf works later (notes B.5). Off unless asked: it
   * sends every packet of the call through rtpengine's codec engine, about
   * three times the CPU of a plain relay (bench/calls media: 0.26 % against
   * 0.09 % of a core per call), and detecting a phone's DTMF does not need it.
   */
  dtmfInjection?: boolean;
}

/** RFC 3551 §6 static payload types that may appear without an rtpmap. */
const STATIC_PT: Record<string, string> = { '0': 'PCMU', '3': 'GSM', '4': 'G723', '8': 'PCMA', '9': 'G722', '13': 'CN', '18': 'G729' };

/** Encoding names of the first audio m-line, in offer order (RFC 4566 §5.14, §6 rtpmap). */
export function audioCodecNames(sdp: string): string[] {
  const lines = sdp.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('m=audio '));
  if (start < 0) return [];
  const pts = lines[start]!.trim().split(/\s+/).slice(3);
  const rtpmap = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('m=')) break;
    const m = /^a=rtpmap:(\d+)\s+([^/\s]+)/.exec(line);
    if (m) rtpmap.set(m[1]!, m[2]!);
  }
  const names: string[] = [];
  for (const pt of pts) {
    const name = rtpmap.get(pt) ?? STATIC_PT[pt];
    if (name && !names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
  }
  return names;
}

function codecDict(sdp: string, policy: CodecPolicy): NgDict | undefined {
  const codec: NgDict = {};
  if (policy.transcode?.length) codec.transcode = [...policy.transcode];
  const stripped = new Set((policy.strip ?? []).map((s) => s.toLowerCase()));
  if (policy.g711First ?? true) {
    const names = audioCodecNames(sdp).filter((n) => !stripped.has(n.toLowerCase()));
    const rank = (n: string) => ['pcma', 'pcmu'].indexOf(n.toLowerCase());
    const g711 = names.filter((n) => rank(n) >= 0).sort((a, b) => rank(a) - rank(b));
    // `strip: all` + `offer: [list]` is how rtpengine 10.5 reorders; plain `offer` leaves the order alone.
    if (g711.length > 0) {
      codec.strip = ['all'];
      codec.offer = [...g711, ...names.filter((n) => rank(n) < 0)];
      return codec;
    }
  }
  if (stripped.size > 0) codec.strip = [...(policy.strip ?? [])];
  return Object.keys(codec).length > 0 ? codec : undefined;
}

function sideParams(side: SideOptions): NgDict {
  if (!side.sipSourceAddress) return {};
  const family = net.isIP(side.sipSourceAddress) === 6 ? 'IP6' : 'IP4';
  return { 'received from': [family, side.sipSourceAddress] };
}

function baseParams(opts: BaseOptions, side: SideOptions): { params: NgDict; flags: string[] } {
  const flags: string[] = [];
  if (opts.dtmfInjection ?? false) flags.push('inject-DTMF');
  if (side.sipSourceAddress) flags.push('SIP-source-address');
  const params: NgDict = {
    // Phones and trunks behind the PBX do not need ICE candidates of the far end.
    ICE: 'remove',
    // RFC 4566 §5.2/§5.7: the SDP now describes rtpengine, so o= and c= must name it.
    replace: ['origin', 'session-connection'],
    ...sideParams(side),
  };
  if (opts.record) {
    params['record call'] = 'yes';
    if (opts.recordingMetadata) params.metadata = opts.recordingMetadata;
  }
  return { params, flags };
}

export interface OfferInput extends BaseOptions, SideOptions {
  callId: string;
  fromTag: string;
  /**
   * One branch of a forked offer (ng `via-branch`): each branch gets its own
   * ports, so the phone that answers is connected whichever phone played early media.
   */
  viaBranch?: string;
  /** Set on a re-offer inside an established dialog (re-INVITE), naming the other party. */
  toTag?: string;
  sdp: string;
  /** Codec policy for the side that will receive the rewritten offer. */
  codecs?: CodecPolicy;
  /** The offerer keys in tones (needsInbandDtmf): detect them as DTMF events. */
  inbandDtmf?: boolean;
}

/** An SDP whose side cannot send RFC 4733 events (no telephone-event): its keys are tones in the audio. */
export function needsInbandDtmf(sdp: string): boolean {
  return /^m=audio /m.test(sdp) && !audioCodecNames(sdp).some((n) => n.toLowerCase() === 'telephone-event');
}

export function offerParams(o: OfferInput): NgDict {
  const { params, flags } = baseParams(o, o);
  // rtpengine's tone detector (`detect-DTMF`, measured in dtmf.test.ts) reports
  // in-band keys as DTMF events, and the other side is offered telephone-event
  // to receive them as such. It decodes every packet, so only when asked.
  if (o.inbandDtmf) flags.push('detect-DTMF');
  const codec = codecDict(o.sdp, o.inbandDtmf ? { ...o.codecs, transcode: [...(o.codecs?.transcode ?? []), 'telephone-event'] } : (o.codecs ?? {}));
  return { ...params, 'call-id': o.callId, 'from-tag': o.fromTag, ...(o.toTag ? { 'to-tag': o.toTag } : {}), ...(o.viaBranch ? { 'via-branch': o.viaBranch } : {}), sdp: o.sdp, flags, ...(codec ? { codec } : {}) };
}

export interface AnswerInput extends BaseOptions, SideOptions {
  callId: string;
  fromTag: string;
  toTag: string;
  /** The branch of a forked offer this answer belongs to (OfferInput.viaBranch). */
  viaBranch?: string;
  sdp: string;
}

export function answerParams(a: AnswerInput): NgDict {
  const { params, flags } = baseParams(a, a);
  return { ...params, 'call-id': a.callId, 'from-tag': a.fromTag, 'to-tag': a.toTag, ...(a.viaBranch ? { 'via-branch': a.viaBranch } : {}), sdp: a.sdp, flags };
}
