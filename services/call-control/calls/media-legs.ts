// rtpengine's view of one bridged call: party A is the caller's From tag,
// party B the callee's To tag. Offers and answers in either direction
// (initial INVITE, early media, re-INVITEs for hold/resume) go through here
// so the tags are always the right way round (rtpengine names the direction
// of an offer by its from-tag; RFC 3264 §8 for a re-offer in a dialog).
import type { RtpengineMedia } from '../media/rtpengine-media';

export class MediaLegs {
  /** B's tag, known from the first response with a To tag. */
  tagB: string | undefined;

  constructor(
    private readonly media: RtpengineMedia,
    readonly mediaId: string,
    readonly tagA: string,
    private readonly sourceA: string,
  ) {}

  /** A's initial offer → the SDP to send to B. */
  async offerFromA(sdp: string): Promise<string> {
    return (await this.media.offer({ callId: this.mediaId, fromTag: this.tagA, sdp, sipSourceAddress: this.sourceA })).sdp;
  }

  /** B's answer (183 or 200) → the SDP to send to A. */
  async answerFromB(sdp: string, tagB: string, sourceB?: string): Promise<string> {
    this.tagB = tagB;
    return (await this.media.answer({ callId: this.mediaId, fromTag: this.tagA, toTag: tagB, sdp, ...(sourceB ? { sipSourceAddress: sourceB } : {}) })).sdp;
  }

  /** A re-offer inside the dialog from `side` (hold, resume, codec change) → the SDP for the other side. */
  async reOffer(side: 'A' | 'B', sdp: string, source?: string): Promise<string> {
    const [from, to] = this.tags(side);
    return (await this.media.offer({ callId: this.mediaId, fromTag: from, toTag: to, sdp, ...(source ? { sipSourceAddress: source } : {}) })).sdp;
  }

  /** The other side's answer to a re-offer from `side` → the SDP to answer `side` with. */
  async reAnswer(side: 'A' | 'B', sdp: string, source?: string): Promise<string> {
    const [from, to] = this.tags(side);
    return (await this.media.answer({ callId: this.mediaId, fromTag: from, toTag: to, sdp, ...(source ? { sipSourceAddress: source } : {}) })).sdp;
  }

  private tags(side: 'A' | 'B'): [string, string] {
    const b = this.tagB;
    if (b === undefined) throw new Error('re-offer before B answered');
    return side === 'A' ? [this.tagA, b] : [b, this.tagA];
  }
}
