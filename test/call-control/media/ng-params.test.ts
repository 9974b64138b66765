import { describe, expect, it } from 'vitest';
import { answerParams, audioCodecNames, offerParams } from '../../../services/call-control/media/ng-params';
import { parseCallStats } from '../../../services/call-control/media/call-stats';

const sdp = (m: string, extra: string[] = []) => ['v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0', m, ...extra, ''].join('\r\n');

describe('audioCodecNames', () => {
  it('reads rtpmap names and static payload types in order, once each', () => {
    const s = sdp('m=audio 4000 RTP/AVP 9 0 18 8 101 102', ['a=rtpmap:101 telephone-event/8000', 'a=rtpmap:102 telephone-event/48000', 'a=rtpmap:9 G722/8000']);
    expect(audioCodecNames(s)).toEqual(['G722', 'PCMU', 'G729', 'PCMA', 'telephone-event']);
  });
  it('looks only at the first audio m-line', () => {
    const s = sdp('m=video 5000 RTP/AVP 96', ['a=rtpmap:96 H264/90000', 'm=audio 4000 RTP/AVP 8 96', 'a=rtpmap:96 opus/48000/2', 'm=audio 4002 RTP/AVP 0']);
    expect(audioCodecNames(s)).toEqual(['PCMA', 'opus']);
  });
  it('gives nothing for an SDP without audio', () => {
    expect(audioCodecNames(sdp('m=image 4000 udptl t38'))).toEqual([]);
  });
});

describe('offerParams', () => {
  const base = { callId: 'c1', fromTag: 'A' };
  it('removes ICE, rewrites origin and connection, enables DTMF injection, puts PCMA then PCMU first', () => {
    const s = sdp('m=audio 4000 RTP/AVP 9 0 8 101', ['a=rtpmap:101 telephone-event/8000']);
    expect(offerParams({ ...base, sdp: s })).toEqual({
      ICE: 'remove',
      replace: ['origin', 'session-connection'],
      'call-id': 'c1',
      'from-tag': 'A',
      sdp: s,
      flags: [],
      codec: { strip: ['all'], offer: ['PCMA', 'PCMU', 'G722', 'telephone-event'] },
    });
  });

  it('adds transcoding targets, NAT handling and recording', () => {
    const s = sdp('m=audio 4000 RTP/AVP 8 0');
    expect(offerParams({ ...base, sdp: s, codecs: { transcode: ['G729'] }, sipSourceAddress: '203.0.113.7', record: true, recordingMetadata: 'tenant=t1' })).toMatchObject({
      'received from': ['IP4', '203.0.113.7'],
      flags: ['SIP-source-address'],
      'record call': 'yes',
      metadata: 'tenant=t1',
      codec: { transcode: ['G729'], strip: ['all'], offer: ['PCMA', 'PCMU'] },
    });
    expect(offerParams({ ...base, sdp: s, sipSourceAddress: '2001:db8::7' })['received from']).toEqual(['IP6', '2001:db8::7']);
  });

  it('strips codecs and can leave the order alone', () => {
    const s = sdp('m=audio 4000 RTP/AVP 18 0 8');
    expect(offerParams({ ...base, sdp: s, codecs: { strip: ['g729'] } }).codec).toEqual({ strip: ['all'], offer: ['PCMA', 'PCMU'] });
    expect(offerParams({ ...base, sdp: s, codecs: { g711First: false, strip: ['G729'] } }).codec).toEqual({ strip: ['G729'] });
    expect(offerParams({ ...base, sdp: s, codecs: { g711First: false } }).codec).toBeUndefined();
    expect(offerParams({ ...base, sdp: s, dtmfInjection: true }).flags).toEqual(['inject-DTMF']);
  });

  it('does not reorder an offer without G.711', () => {
    expect(offerParams({ ...base, sdp: sdp('m=audio 4000 RTP/AVP 18') }).codec).toBeUndefined();
  });
});

describe('answerParams', () => {
  it('names both tags and carries NAT handling for the answering side', () => {
    const s = sdp('m=audio 4000 RTP/AVP 8');
    expect(answerParams({ callId: 'c1', fromTag: 'A', toTag: 'B', sdp: s, sipSourceAddress: '198.51.100.2' })).toEqual({
      ICE: 'remove',
      replace: ['origin', 'session-connection'],
      'received from': ['IP4', '198.51.100.2'],
      'call-id': 'c1',
      'from-tag': 'A',
      'to-tag': 'B',
      sdp: s,
      flags: ['SIP-source-address'],
    });
  });
});

describe('parseCallStats', () => {
  const stream = (port: number, flags: string[], packets: number, last = 0) => ({
    'local port': port,
    endpoint: { family: 'IPv4', address: '127.0.0.1', port: port + 1000 },
    flags,
    'last packet': last,
    stats: { packets, bytes: packets * 172, errors: 0 },
  });
  it('sums RTP and RTCP per party from a query reply', () => {
    const reply = {
      created: 1795307429,
      tags: {
        A: { tag: 'A', medias: [{ streams: [stream(30000, ['RTP', 'filled'], 50, 1795307431), stream(30001, ['RTCP'], 2)] }] },
        B: { tag: 'B', medias: [{ streams: [stream(30010, ['RTP'], 49)] }] },
      },
      totals: { RTP: { packets: 99, bytes: 17028, errors: 0 }, RTCP: { packets: 2, bytes: 344, errors: 0 } },
      result: 'ok',
    };
    expect(parseCallStats(reply)).toEqual({
      createdAt: 1795307429,
      parties: {
        A: { tag: 'A', rtp: { packets: 50, bytes: 8600, errors: 0 }, rtcp: { packets: 2, bytes: 344, errors: 0 }, endpoint: '127.0.0.1:31000', lastPacketAt: 1795307431 },
        B: { tag: 'B', rtp: { packets: 49, bytes: 8428, errors: 0 }, rtcp: { packets: 0, bytes: 0, errors: 0 }, endpoint: '127.0.0.1:31010' },
      },
      totals: { rtp: { packets: 99, bytes: 17028, errors: 0 }, rtcp: { packets: 2, bytes: 344, errors: 0 } },
    });
  });
  it('tolerates missing or odd fields', () => {
    expect(parseCallStats({ tags: { A: { medias: 'x' } }, totals: null })).toEqual({
      parties: { A: { tag: 'A', rtp: { packets: 0, bytes: 0, errors: 0 }, rtcp: { packets: 0, bytes: 0, errors: 0 } } },
      totals: { rtp: { packets: 0, bytes: 0, errors: 0 }, rtcp: { packets: 0, bytes: 0, errors: 0 } },
    });
  });
});

describe('via-branch (a forked call, calls/fork.ts)', () => {
  it('names the branch in the offer and in its answer, and only when given', () => {
    const s = sdp('m=audio 4000 RTP/AVP 8');
    expect(offerParams({ callId: 'c1', fromTag: 'A', sdp: s, viaBranch: 'b2' })['via-branch']).toBe('b2');
    expect(answerParams({ callId: 'c1', fromTag: 'A', toTag: 'B', sdp: s, viaBranch: 'b2' })['via-branch']).toBe('b2');
    expect(offerParams({ callId: 'c1', fromTag: 'A', sdp: s })).not.toHaveProperty('via-branch');
    expect(answerParams({ callId: 'c1', fromTag: 'A', toTag: 'B', sdp: s })).not.toHaveProperty('via-branch');
  });
});
