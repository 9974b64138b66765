// Which codecs the B2BUA lets each side see, decided before rtpengine is
// asked (issue #4: G.711 A/µ first, transcoding when a side offers only
// G.729). Facts behind each rule, measured on rtpengine 10.5 here
// (notes part B.8 and this module's tests):
// - `codec: {transcode: [X]}` appends X after the offerer's own codecs, so a
//   callee that shares a codec with the caller still picks it (RFC 3264 §6.1:
//   the answerer takes the first it supports) and the call is passed through;
//   only a callee that speaks nothing but the added codec causes transcoding.
// - rtpengine adds the transcode targets even when it cannot encode the
//   offerer's codec (AMR, iLBC are decode-only here), so refusing such an
//   offer is our job: 488 with Warning 305 (RFC 3261 §20.43, §21.4.26).
// - A re-offer without the transcode targets makes rtpengine drop the
//   transcoded codec from the answer (only telephone-event was left), so a
//   re-INVITE must name again the codecs the other side is known to use.
import { AppError } from '../../common/errors';
import { audioCodecNames, type CodecPolicy } from './ng-params';

/** Codecs rtpengine 10.5 here both decodes and encodes (`rtpengine --codecs`: "fully supported"). */
export const TRANSCODABLE = ['PCMA', 'PCMU', 'G729', 'G729a', 'G722', 'G723', 'opus', 'speex', 'GSM'] as const;

/** Not voice codecs: RFC 4733 events and RFC 3389 comfort noise ride along whatever is negotiated. */
const AUXILIARY = new Set(['telephone-event', 'cn']);

/** G.711 A-law first: the norm on Russian networks (PCMA), then µ-law. */
export const G711 = ['PCMA', 'PCMU'] as const;

const lower = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()));
const transcodable = lower(TRANSCODABLE);

/** Voice codecs of an SDP's first audio m-line, in its order (telephone-event and CN left out). */
export function voiceCodecs(sdp: string): string[] {
  return audioCodecNames(sdp).filter((n) => !AUXILIARY.has(n.toLowerCase()));
}

/** 488 for an offer rtpengine cannot carry: stable code, the codecs named for the log and the Warning header. */
export function incompatibleCodecs(offered: string[]): AppError {
  const list = offered.length > 0 ? offered.join(', ') : 'none';
  return new AppError(488, 'incompatible-codecs', `no usable audio codec offered (${list}); supported: ${TRANSCODABLE.join(', ')}`, { offered });
}

/**
 * SIP headers of the 488 for `incompatibleCodecs`: Warning 305 "Incompatible
 * media format" (RFC 3261 §20.43) naming what we could have used, and the
 * RFC 3326 Reason with Q.850 cause 88 "incompatible destination" (the cause
 * RFC 3398 §8.2.6.1 maps to 488).
 */
export function incompatibleCodecsHeaders(offered: string[]): Record<string, string> {
  const list = offered.length > 0 ? offered.join(' ') : 'none';
  return {
    Warning: `305 korobka "Incompatible media format: offered ${list}; supported ${TRANSCODABLE.join(' ')}"`,
    Reason: 'Q.850;cause=88;text="incompatible codecs"',
  };
}

/**
 * Policy for the caller's initial offer, i.e. what the callee will see.
 * With G.711 in it: G.711 first, nothing added (pass-through). Without:
 * PCMA and PCMU added for rtpengine to transcode to. Nothing rtpengine can
 * encode: `incompatible-codecs`.
 */
export function initialOfferPolicy(sdp: string): CodecPolicy {
  const offered = voiceCodecs(sdp);
  const usable = offered.filter((n) => transcodable.has(n.toLowerCase()));
  if (usable.length === 0) throw incompatibleCodecs(offered);
  const have = lower(offered);
  const missing = G711.filter((c) => !have.has(c.toLowerCase()));
  return missing.length === G711.length ? { transcode: [...G711] } : {};
}

/**
 * Policy for a re-offer inside the dialog (hold, resume, codec change; RFC
 * 3264 §8): the other side's known codecs that the re-offer lacks become
 * transcode targets, so rtpengine keeps offering what that side negotiated.
 */
export function reOfferPolicy(sdp: string, otherSide: readonly string[]): CodecPolicy {
  const offered = voiceCodecs(sdp);
  if (!offered.some((n) => transcodable.has(n.toLowerCase()))) throw incompatibleCodecs(offered);
  const have = lower(offered);
  const targets = otherSide.filter((c) => transcodable.has(c.toLowerCase()) && !have.has(c.toLowerCase()));
  return targets.length > 0 ? { transcode: targets } : {};
}

/** Headers for the refusal of an INVITE whose offer failed with `err`: the 488 ones above for `incompatible-codecs`, none otherwise. */
export function codecRefusalHeaders(err: unknown): Record<string, string> {
  if (!(err instanceof AppError) || err.code !== 'incompatible-codecs') return {};
  const offered = (err.details as { offered?: unknown } | undefined)?.offered;
  return incompatibleCodecsHeaders(Array.isArray(offered) ? offered.map(String) : []);
}
