// rtpengine's view of one bridged call: party A is the caller's From tag,
// party B the callee's To tag. Offers and answers in either direction
// (initial INVITE, early media, re-INVITEs for hold/resume) go through here
// so the tags are always the right way round (rtpengine names the direction
// of an offer by its from-tag; RFC 3264 §8 for a re-offer in a dialog).
import { initialOfferPolicy, reOfferPolicy, voiceCodecs } from '../media/codec-policy';
import type { BaseOptions } from '../media/ng-params';
import type { RtpengineMedia } from '../media/rtpengine-media';

/**
 * rtpengine 10.5 puts every call offered with `inject-DTMF` in transcoding
 * mode (query flag `transcoding`, even PCMA to PCMA): between two G.729
 * phones it decoded and re-encoded every frame (measured in
 * test/integration/call-control/transcoding-media.test.ts). No call feature
 * injects DTMF (feature codes only listen, which needs no flag), so calls go
 * without it and a shared codec is relayed untouched.
 */
const CALL_MEDIA = { dtmfInjection: false } as const;

export class MediaLegs {
  /** rtpengine's SDP for B from A's initial offer (the PBX answering A itself builds its side from it: actions/answer.ts). */
  sdpToB: string | undefined;
  /** B's tag, known from the first response with a To tag. */
  tagB: string | undefined;
  /** The SDP rtpengine gave for A at B's answer: names the port A sends to. */
  sdpToA: string | undefined;
  /** The SDP rtpengine last gave B in a re-offer exchange (names the port B sends to now); undefined until one. */
  sdpToCallee: string | undefined = undefined;
  /**
   * Called after a re-offer exchange changed what either side was given: a
   * recording relabels its channels from sdpToA / sdpToCallee (recording.ts),
   * or a capture started or going on after a callee's re-INVITE loses a party.
   */
  onRenegotiated: (() => void) | undefined = undefined;
  /** Voice codecs each side last settled on (from the answers), for re-offers (codec-policy.ts). */
  readonly negotiated: { A: string[]; B: string[] } = { A: [], B: [] };
  /**
   * rtpengine branch (ng via-branch) of B's side when a forwarded call goes on
   * through someone else's flow (a trunk after the phones): answers without a
   * branch of their own use it.
   */
  branch: string | undefined;
  /** A's initial offer as A sent it. */
  private offerA: string | undefined;

  constructor(
    private readonly media: RtpengineMedia,
    readonly mediaId: string,
    readonly tagA: string,
    private readonly sourceA: string,
  ) {}

  /** RTP packets rtpengine has received from the party with `tag` so far (its query's per-tag counter). */
  async packetsFrom(tag: string): Promise<number> {
    return (await this.media.query(this.mediaId)).parties[tag]?.rtp.packets ?? 0;
  }

  /**
   * A's initial offer → the SDP to send to B: G.711 first, PCMA/PCMU added
   * for transcoding when A has no G.711; throws `incompatible-codecs` (488)
   * when A offers nothing rtpengine can encode. `viaBranch` names one branch
   * of a forked call (its own ports).
   */
  async offerFromA(sdp: string, viaBranch?: string): Promise<string> {
    const codecs = initialOfferPolicy(sdp);
    const toB = (
      await this.media.offer({
        callId: this.mediaId,
        fromTag: this.tagA,
        sdp,
        sipSourceAddress: this.sourceA,
        codecs,
        ...CALL_MEDIA,
        ...(viaBranch ? { viaBranch } : {}),
      })
    ).sdp;
    if (viaBranch === undefined) {
      this.sdpToB = toB;
      this.offerA = sdp;
    }
    return toB;
  }

  /**
   * A's offer again, with rtpengine's in-band DTMF detector on: for a caller
   * without telephone-event that the PBX answers itself (actions/answer.ts),
   * before that answer. Calls between phones keep their plain relay.
   */
  async detectInbandDtmf(): Promise<string> {
    if (this.offerA === undefined) throw new Error('detectInbandDtmf before A offered');
    const codecs = initialOfferPolicy(this.offerA);
    this.sdpToB = (
      await this.media.offer({
        callId: this.mediaId,
        fromTag: this.tagA,
        sdp: this.offerA,
        sipSourceAddress: this.sourceA,
        codecs,
        inbandDtmf: true,
        ...CALL_MEDIA,
      })
    ).sdp;
    return this.sdpToB;
  }

  /** B's answer (183 or 200) → the SDP to send to A; `recording` turns recording on with it (recording.ts). */
  async answerFromB(
    sdp: string,
    tagB: string,
    sourceB?: string,
    recording: Pick<BaseOptions, 'record' | 'recordingMetadata'> = {},
    viaBranch?: string,
  ): Promise<string> {
    this.tagB = tagB;
    const answer = (
      await this.media.answer({
        callId: this.mediaId,
        fromTag: this.tagA,
        toTag: tagB,
        sdp,
        ...CALL_MEDIA,
        ...(sourceB ? { sipSourceAddress: sourceB } : {}),
        ...recording,
        ...((viaBranch ?? this.branch) ? { viaBranch: viaBranch ?? this.branch } : {}),
      })
    ).sdp;
    this.sdpToA = answer;
    this.settle('B', sdp);
    this.settle('A', answer);
    return answer;
  }

  /** Starts recording, or replaces the metadata of a recording already on (rtpengine keeps the last one given). */
  async startRecording(metadata: string): Promise<void> {
    await this.media.startRecording(this.mediaId, metadata);
  }

  /** Stops recording: rtpengine finishes the capture (a later start opens a new one). */
  async stopRecording(): Promise<void> {
    await this.media.stopRecording(this.mediaId);
  }

  /** A re-offer inside the dialog from `side` (hold, resume, codec change) → the SDP for the other side. */
  async reOffer(side: 'A' | 'B', sdp: string, source?: string): Promise<string> {
    const [from, to] = this.tags(side);
    // Without the other side's codecs as transcode targets rtpengine 10.5 drops a transcoded codec at the re-answer.
    const codecs = reOfferPolicy(sdp, this.known(other(side)));
    const toOther = (
      await this.media.offer({
        callId: this.mediaId,
        fromTag: from,
        toTag: to,
        sdp,
        codecs,
        ...CALL_MEDIA,
        ...(source ? { sipSourceAddress: source } : {}),
      })
    ).sdp;
    this.given(other(side), toOther);
    return toOther;
  }

  /** The other side's answer to a re-offer from `side` → the SDP to answer `side` with. */
  async reAnswer(side: 'A' | 'B', sdp: string, source?: string): Promise<string> {
    const [from, to] = this.tags(side);
    const back = (
      await this.media.answer({
        callId: this.mediaId,
        fromTag: from,
        toTag: to,
        sdp,
        ...CALL_MEDIA,
        ...(source ? { sipSourceAddress: source } : {}),
      })
    ).sdp;
    this.settle(other(side), sdp);
    this.settle(side, back);
    this.given(side, back);
    this.onRenegotiated?.();
    return back;
  }

  /** What rtpengine gave `side` in a re-offer exchange: its ports may differ from the first answer's. */
  private given(side: 'A' | 'B', sdp: string): void {
    if (side === 'A') this.sdpToA = sdp;
    else this.sdpToCallee = sdp;
  }

  /** `side`'s settled codecs; legs built by a transfer know only what A was given (sdpToA). */
  private known(side: 'A' | 'B'): string[] {
    if (this.negotiated[side].length > 0) return this.negotiated[side];
    return side === 'A' && this.sdpToA !== undefined ? voiceCodecs(this.sdpToA) : [];
  }

  /** An answer names the codec a side uses (RFC 3264 §6.1); a codec-less one (all rejected) keeps the last. */
  private settle(side: 'A' | 'B', answerSdp: string): void {
    const codecs = voiceCodecs(answerSdp);
    if (codecs.length > 0) this.negotiated[side] = codecs;
  }

  private tags(side: 'A' | 'B'): [string, string] {
    const b = this.tagB;
    if (b === undefined) throw new Error('re-offer before B answered');
    return side === 'A' ? [this.tagA, b] : [b, this.tagA];
  }
}

const other = (side: 'A' | 'B'): 'A' | 'B' => (side === 'A' ? 'B' : 'A');
