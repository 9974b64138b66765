// The media moves of a transfer (RFC 3264 offer/answer through rtpengine;
// rtpengine 10.5 has no `connect`, notes B.9, so parties are joined by
// re-INVITEs onto a session of their own).
import type { Logger } from '../../common/logger';
import { reOfferPolicy, voiceCodecs } from '../media/codec-policy';
import type { RtpengineMedia } from '../media/rtpengine-media';
import type { LiveCall } from './live-calls';
import { continueOrigin, sendrecv } from './transfer-sdp';
import { errText, mediaSide, other, sourceOf, type Slot } from './transfer-slots';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for dialogs
type Loose = any;

/**
 * The transferee moves onto the new session where the target already is
 * (the target's SDP is its answer to our offer from the transferee's SDP):
 * rtpengine gets that answer, then the target's SDP is re-offered to the
 * transferee (RFC 3264 §8 re-INVITE, resuming it if held) and its answer
 * completes the session.
 */
export async function joinSession(media: RtpengineMedia, transferee: Loose, targetDialog: Loose, mediaId: string): Promise<void> {
  const tA: string = transferee.sip.remoteTag;
  const tC: string = targetDialog.sip.remoteTag;
  const sdpC: string = targetDialog.remote.sdp;
  await media.answer({ callId: mediaId, fromTag: tA, toTag: tC, sdp: sdpC, ...sourceOf(targetDialog) });
  const toA = await media.offer({ callId: mediaId, fromTag: tC, toTag: tA, sdp: sdpC, codecs: reOfferPolicy(sdpC, voiceCodecs(transferee.remote.sdp)), ...sourceOf(targetDialog) });
  const answerA: string = await transferee.modify(continueOrigin(transferee.local.sdp, toA.sdp));
  await media.answer({ callId: mediaId, fromTag: tC, toTag: tA, sdp: answerA, ...sourceOf(transferee) });
}

/** RFC 3264 §8.4: a transferee the transferor held gets sendrecv again once the transfer failed. */
export async function resumeTransferee(call: LiveCall, slot: Slot, log: Logger): Promise<void> {
  const transferee = call[other(slot)];
  const transferor = call[slot];
  if (!/^a=(sendonly|inactive)\s*$/m.test(String(transferee.local.sdp))) return;
  try {
    const toTransferee = await call.legs.reOffer(mediaSide(slot), sendrecv(transferor.remote.sdp), sourceOf(transferor).sipSourceAddress);
    const answer: string = await transferee.modify(toTransferee);
    await call.legs.reAnswer(mediaSide(slot), answer, sourceOf(transferee).sipSourceAddress);
  } catch (err) {
    log.warn('transfer: resuming the transferee failed', { err: errText(err) });
  }
}
