// The PBX answers the caller itself (an IVR, an announcement, a queue): 200
// with rtpengine's SDP, the CDR's answer, and the caller's digits (RFC 4733
// via rtpengine, SIP INFO via the leg) flowing to the call. rtpengine needs
// an answering party to give us the caller's side of the session: the PBX's
// own side is an SDP with rtpengine's codecs on the loopback discard port
// (RFC 863), and the caller's media is blocked towards it, so no packet is
// sent there while rtpengine still reports the caller's digits and plays
// prompts to the caller (both measured in test/integration/call-control/call-actions.test.ts).
import type { Call } from '../call/call';
import type { CdrRecorder } from '../cdr/cdr-recorder';
import { needsInbandDtmf } from '../media/ng-params';
import type { RtpengineMedia } from '../media/rtpengine-media';
import { DigitBuffer } from './digit-buffer';

export interface ActionDeps {
  media: RtpengineMedia;
  recorder: Pick<CdrRecorder, 'event'>;
}

/** rtpengine's name for the PBX's own side of a call it answered. */
export const PBX_TAG = 'korobka-pbx';

/** The PBX's side: the codecs rtpengine offered (with telephone-event), on 127.0.0.1:9. */
export function pbxSdp(offerToB: string): string {
  const lines = offerToB.split(/\r?\n/);
  const m = lines.find((l) => l.startsWith('m=audio '));
  if (!m) throw new Error('rtpengine offered no audio');
  const pts = m.split(' ').slice(3).join(' ');
  const attrs = lines.filter((l) => /^a=(rtpmap|fmtp|ptime):/.test(l));
  return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=korobka', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio 9 RTP/AVP ${pts}`, ...attrs, 'a=sendrecv', ''].join('\r\n');
}

export async function answer(deps: ActionDeps, call: Call): Promise<void> {
  if (call.a.state === 'answered' || call.ended) return;
  const legs = call.media;
  if (!legs?.sdpToB) throw new Error('answer before the media session was opened');
  // A caller without telephone-event keys in tones: rtpengine's detector is
  // turned on, and it sits behind the block, so that audio flows on to the
  // discard port instead (both measured in test/integration/call-control/dtmf.test.ts).
  const inband = needsInbandDtmf(call.a.remoteSdp ?? '');
  const toB = inband ? await legs.detectInbandDtmf() : legs.sdpToB;
  const sdpToA = await legs.answerFromB(pbxSdp(toB), PBX_TAG);
  if (!inband) await deps.media.blockMedia(legs.mediaId, legs.tagA);
  // Digits are kept from now on: one pressed before an IVR asks is not lost.
  DigitBuffer.of(call);
  await call.a.answer(sdpToA);
  deps.recorder.event(call.id, { type: 'answer', at: Date.now() });
  call.progress('answered');
  // SIP INFO digits arrive on the leg; rtpengine's come through the call registry.
  call.a.on('dtmf', (d) => call.emit('dtmf', d, call.a));
  call.a.on('bye', () => void call.end('caller', 200));
}
