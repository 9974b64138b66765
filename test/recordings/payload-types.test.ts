import { describe, expect, it } from 'vitest';
import { PayloadTypeTable, payloadTypesFromSdp } from '../../services/recordings/payload-types';

describe('payload types', () => {
  it('maps static G.711 and skips telephone-event and CN', () => {
    const t = new PayloadTypeTable();
    expect(t.action(0)).toEqual({ kind: 'g711', law: 'ulaw' });
    expect(t.action(8)).toEqual({ kind: 'g711', law: 'alaw' });
    expect(t.action(13)).toEqual({ kind: 'skip', name: 'CN' });
    expect(t.action(101)).toEqual({ kind: 'skip', name: 'TELEPHONE-EVENT' });
  });

  it('reads dynamic types from SDP', () => {
    const sdp = 'v=0\r\nm=audio 1 RTP/AVP 0 96 97\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:97 telephone-event/48000\r\n';
    const map = payloadTypesFromSdp(sdp);
    expect(map.get(96)).toEqual({ name: 'opus', clockRate: 48000 });
    const t = new PayloadTypeTable(map);
    expect(t.action(97).kind).toBe('skip');
    expect(() => t.action(96)).toThrowError(
      expect.objectContaining({ code: 'codec-not-supported', message: 'recorded codec opus/48000 (payload type 96) cannot be converted; keep recorded legs in G.711' }),
    );
  });

  it('refuses G.729, G.722 and unknown dynamic types', () => {
    const t = new PayloadTypeTable();
    for (const pt of [18, 9, 3, 110]) expect(() => t.action(pt)).toThrowError(expect.objectContaining({ code: 'codec-not-supported' }));
  });
});
