import { describe, expect, it } from 'vitest';
import { isRtcp, parseRtp } from '../../services/recordings/rtp';
import { rtpPacket } from './pcap-builder';

describe('RTP header (RFC 3550 §5.1)', () => {
  it('parses the fixed header', () => {
    const p = parseRtp(rtpPacket({ payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payload: Buffer.from([1, 2, 3]), marker: true }));
    expect(p).toMatchObject({ marker: true, payloadType: 8, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, csrc: [], extension: undefined });
    expect([...p.payload]).toEqual([1, 2, 3]);
  });

  it('skips CSRCs, the header extension and padding', () => {
    const p = parseRtp(
      rtpPacket({ payloadType: 0, sequence: 1, timestamp: 2, ssrc: 3, payload: Buffer.from([9, 9]), csrc: [7, 8], extensionWords: 2, padding: 3 }),
    );
    expect(p.csrc).toEqual([7, 8]);
    expect(p.extension?.profile).toBe(0xbede);
    expect(p.extension?.data.length).toBe(8);
    expect([...p.payload]).toEqual([9, 9]);
  });

  const bad: Array<[string, Buffer, string]> = [
    ['too short', Buffer.alloc(11, 0x80), 'malformed RTP packet: 11 bytes, shorter than the 12-byte header'],
    ['version 1', Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'malformed RTP packet: version 1, expected 2'],
    ['CSRCs beyond the end', Buffer.from([0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]), 'malformed RTP packet: 3 CSRCs do not fit in 14 bytes'],
    ['extension beyond the end', Buffer.from([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 9]), 'malformed RTP packet: header extension of 9 words does not fit'],
    ['padding larger than the payload', Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 50]), 'malformed RTP packet: padding of 50 bytes does not fit'],
    ['zero padding count', Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), 'malformed RTP packet: padding of 0 bytes does not fit'],
  ];
  for (const [name, buf, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => parseRtp(buf)).toThrowError(expect.objectContaining({ code: 'rtp-malformed', message }));
    });
  }

  it('tells RTCP from RTP on a shared port (RFC 5761 §4)', () => {
    const sr = Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1]);
    expect(isRtcp(sr)).toBe(true);
    expect(isRtcp(rtpPacket({ payloadType: 8, sequence: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(160) }))).toBe(false);
    expect(isRtcp(rtpPacket({ payloadType: 72, marker: true, sequence: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(0) }))).toBe(true);
  });
});
