// bench/ivr's reading of a loopback capture: a pcap written here byte by
// byte (as dumpcap -P writes one: Ethernet link type, microseconds) with a
// steady 20 ms stream, one with a 60 ms hole and a lost packet, an RFC 4733
// event and a TCP segment that must be ignored, and a port that got nothing.
import { describe, expect, it } from 'vitest';
import { gapFigures, rtpStreams, runFigures } from '../../bench/ivr/rtp-gaps';

function pcap(packets: Array<{ ms: number; port: number; seq: number; pt?: number; proto?: number }>): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(1, 20);
  const records = packets.map((p) => {
    const frame = Buffer.alloc(14 + 20 + 8 + 12 + 160);
    frame.writeUInt16BE(0x0800, 12);
    frame[14] = 0x45;
    frame[14 + 9] = p.proto ?? 17;
    frame.writeUInt16BE(40000, 34);
    frame.writeUInt16BE(p.port, 36);
    frame[42] = 0x80;
    frame[43] = p.pt ?? 8;
    frame.writeUInt16BE(p.seq, 44);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(p.ms / 1000), 0);
    rec.writeUInt32LE(Math.round((p.ms % 1000) * 1000), 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([head, ...records]);
}

const T0 = 1_765_000_000_000;
const steady = Array.from({ length: 200 }, (_, i) => ({ ms: T0 + i * 20, port: 10000, seq: (65500 + i) % 65536 }));
const holed = Array.from({ length: 200 }, (_, i) => i)
  .filter((i) => i !== 100 && i !== 101)
  .map((i) => ({ ms: T0 + 5 + i * 20, port: 10002, seq: i === 150 ? 9999 : i }))
  .filter((p) => p.seq !== 9999);

describe('rtp gaps from a loopback capture', () => {
  const streams = rtpStreams(
    pcap([
      ...steady,
      ...holed,
      { ms: T0 + 30, port: 10000, seq: 1, pt: 101 },
      { ms: T0 + 32, port: 10002, seq: 7, pt: 200 },
      { ms: T0 + 31, port: 10002, seq: 5, proto: 6 },
    ]),
  );

  it('reads audio packets by destination port with kernel times, leaving out events, RTCP and non-UDP', () => {
    expect([...streams.keys()].sort()).toEqual([10000, 10002]);
    expect(streams.get(10000)!.at).toHaveLength(200);
    expect(streams.get(10000)!.at[1]! - streams.get(10000)!.at[0]!).toBeCloseTo(20, 3);
    expect(streams.get(10002)!.at).toHaveLength(197);
  });

  it('measures the largest gap, the share and the lost packets across the sequence wrap', () => {
    expect(gapFigures(streams.get(10000)!, T0 + 1000, T0 + 3000)).toEqual({ maxGapMs: 20, share: 1.01, lost: 0 });
    const h = gapFigures(streams.get(10002)!, T0 + 1000, T0 + 3500);
    expect(h.maxGapMs).toBe(60);
    expect(h.lost).toBe(3);
  });

  it('sums a run: a port with nothing is not flowing, a 60 ms hole is over a 40 ms limit', () => {
    const r = runFigures(streams, [10000, 10002, 10004], 4000, 40, 500);
    expect(r.streams).toBe(2);
    expect(r.windowMs).toBe(2995);
    expect(r.flowing).toBe(1);
    expect(r.gapOverLimit).toBe(2);
    expect(r.perPort.get(10004)!.share).toBe(0);
    expect(r.perPort.get(10002)!.maxGapMs).toBe(60);
  });
});
