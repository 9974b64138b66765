import { describe, expect, it } from 'vitest';
import { AppError } from '../../../services/common/errors';
import { codecRefusalHeaders, initialOfferPolicy, reOfferPolicy, voiceCodecs } from '../../../services/call-control/media/codec-policy';
import { offerParams } from '../../../services/call-control/media/ng-params';

const sdp = (m: string, extra: string[] = []) => ['v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0', m, ...extra, ''].join('\r\n');
const g729Only = sdp('m=audio 4000 RTP/AVP 18 101', ['a=rtpmap:18 G729/8000', 'a=fmtp:18 annexb=no', 'a=rtpmap:101 telephone-event/8000']);

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('voiceCodecs', () => {
  it('leaves out telephone-event and comfort noise', () => {
    expect(voiceCodecs(sdp('m=audio 4000 RTP/AVP 8 13 101', ['a=rtpmap:101 telephone-event/8000']))).toEqual(['PCMA']);
  });
});

describe('initialOfferPolicy', () => {
  it('passes a G.711 offer through, reordered by ng-params (PCMA, PCMU first), nothing added', () => {
    const s = sdp('m=audio 4000 RTP/AVP 18 0 8 101', ['a=rtpmap:101 telephone-event/8000']);
    const policy = initialOfferPolicy(s);
    expect(policy).toEqual({});
    expect(offerParams({ callId: 'c', fromTag: 'A', sdp: s, codecs: policy }).codec).toEqual({ strip: ['all'], offer: ['PCMA', 'PCMU', 'G729', 'telephone-event'] });
  });

  it('adds PCMA then PCMU as transcode targets when the caller offers only G.729', () => {
    const policy = initialOfferPolicy(g729Only);
    expect(policy).toEqual({ transcode: ['PCMA', 'PCMU'] });
    expect(offerParams({ callId: 'c', fromTag: 'A', sdp: g729Only, codecs: policy }).codec).toEqual({ transcode: ['PCMA', 'PCMU'] });
  });

  it('one G.711 law is enough for pass-through', () => {
    expect(initialOfferPolicy(sdp('m=audio 4000 RTP/AVP 0'))).toEqual({});
  });

  it('refuses an offer rtpengine cannot encode with incompatible-codecs (488) and names the codecs', () => {
    const amr = sdp('m=audio 4000 RTP/AVP 96 97 101', ['a=rtpmap:96 AMR/8000', 'a=rtpmap:97 iLBC/8000', 'a=rtpmap:101 telephone-event/8000']);
    const err = refusal(() => initialOfferPolicy(amr));
    expect(err.code).toBe('incompatible-codecs');
    expect(err.status).toBe(488);
    expect(err.message).toContain('AMR, iLBC');
    const headers = codecRefusalHeaders(err);
    expect(headers.Warning).toMatch(/^305 korobka "Incompatible media format: offered AMR iLBC; supported PCMA PCMU G729 /);
    expect(headers.Reason).toBe('Q.850;cause=88;text="incompatible codecs"');
  });

  it('refuses an offer with only DTMF events or no audio', () => {
    expect(refusal(() => initialOfferPolicy(sdp('m=audio 4000 RTP/AVP 101', ['a=rtpmap:101 telephone-event/8000']))).code).toBe('incompatible-codecs');
    expect(codecRefusalHeaders(refusal(() => initialOfferPolicy(sdp('m=image 4000 udptl t38')))).Warning).toContain('offered none');
  });
});

describe('reOfferPolicy', () => {
  it('names the other side’s negotiated codec again when the re-offer lacks it (hold of a transcoded call)', () => {
    expect(reOfferPolicy(g729Only, ['PCMA'])).toEqual({ transcode: ['PCMA'] });
    expect(reOfferPolicy(sdp('m=audio 4000 RTP/AVP 8 101', ['a=rtpmap:101 telephone-event/8000']), ['G729'])).toEqual({ transcode: ['G729'] });
  });

  it('adds nothing when the re-offer already has it (pass-through stays pass-through)', () => {
    expect(reOfferPolicy(sdp('m=audio 4000 RTP/AVP 8 0'), ['PCMA'])).toEqual({});
    expect(reOfferPolicy(sdp('m=audio 4000 RTP/AVP 8'), [])).toEqual({});
  });

  it('refuses a re-offer with nothing usable', () => {
    expect(refusal(() => reOfferPolicy(sdp('m=audio 4000 RTP/AVP 96', ['a=rtpmap:96 AMR/8000']), ['PCMA'])).code).toBe('incompatible-codecs');
  });
});

describe('codecRefusalHeaders', () => {
  it('gives nothing for other errors', () => {
    expect(codecRefusalHeaders(new AppError(503, 'rtpengine-timeout', 'x'))).toEqual({});
    expect(codecRefusalHeaders(new Error('x'))).toEqual({});
  });
});
