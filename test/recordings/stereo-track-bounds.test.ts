// Issue 16 item 2: a crafted RTP packet must not stretch a recording. Each
// case is the attack as it arrives in rtpengine's capture, fed to the real
// track builder; the track stays as long as the capture's own time span.
import { describe, expect, it } from 'vitest';
import type { UdpDatagram } from '../../services/recordings/pcap-reader';
import { PayloadTypeTable } from '../../services/recordings/payload-types';
import { resolverFromMap, StereoTrackBuilder, type StereoTrack, type TrackLimits } from '../../services/recordings/stereo-track';
import { encodeG711 } from '../../services/recordings/g711';
import { callPackets, CALLEE, CALLER, partyPackets } from './call-builder';
import { rtpPacket, tone } from './pcap-builder';

const map = { left: [CALLER.src], right: [CALLEE.src] };
const T0 = 1_800_000_000_000_000;

function build(packets: UdpDatagram[], limits?: TrackLimits): StereoTrack {
  const b = new StereoTrackBuilder(resolverFromMap(map), new PayloadTypeTable(), limits);
  for (const p of packets) b.add(p);
  return b.finish();
}

/** One PCMA packet from the caller's address, as an attacker would send it to rtpengine's port. */
function crafted(timeUs: number, sequence: number, timestamp: number): UdpDatagram {
  const payload = rtpPacket({ payloadType: 8, sequence: sequence & 0xffff, timestamp: timestamp >>> 0, ssrc: CALLER.ssrc, payload: encodeG711('alaw', tone(440, 160, 0)) });
  return { timeUs, src: CALLER.src, dst: CALLER.dst, payload };
}

describe('stereo track bounds (issue 16 item 2)', () => {
  it('a late packet with a timestamp 2^31 samples ahead is rejected: 2 s stay 2 s, the cut is counted', () => {
    const call = callPackets(2);
    // After the caller's 50th packet: the sequence number of the one before, the timestamp 74.6 h on.
    const attack = crafted(T0 + 1_000_000 + 5_000, 1000 + 48, 50_000 + 48 * 160 + 0x7fffffff);
    const t = build([...call, attack].sort((a, b) => a.timeUs - b.timeUs));
    expect(t.durationMs).toBeCloseTo(2003, -1);
    expect(t.stats.cut.packets).toBe(1);
    expect(t.stats.channels[0].packets).toBe(100);
  });

  it('a late packet 2^31 samples behind is rejected alike', () => {
    const attack = crafted(T0 + 1_000_000 + 5_000, 1000 + 48, 50_000 + 48 * 160 - 0x7fffffff);
    const t = build([...callPackets(2), attack].sort((a, b) => a.timeUs - b.timeUs));
    expect(t.durationMs).toBeLessThan(2100);
    expect(t.stats.cut.packets).toBe(1);
  });

  it('a stream that walks its clock ahead a little per packet is re-anchored, not stretched', () => {
    // Each packet claims 1.9 s more than 20 ms: under the packet-to-packet jump test, far over in sum.
    const walk = Array.from({ length: 100 }, (_, i) => crafted(T0 + i * 20_000, 1000 + i, 50_000 + i * (160 + 15_200)));
    const t = build(walk);
    expect(t.durationMs).toBeLessThan(2000 + 4000 + 100);
  });

  it('one packet far ahead in sequence is held and dropped when the next does not confirm it; the stream goes on', () => {
    const call = partyPackets(CALLER, 100, T0);
    const attack = crafted(T0 + 1_000_000 + 5_000, 1000 + 20_000, 0x7fffffff);
    const t = build([...call, attack].sort((a, b) => a.timeUs - b.timeUs));
    expect(t.durationMs).toBe(2000);
    expect(t.stats.cut.packets).toBe(1);
    expect(t.stats.channels[0]).toMatchObject({ packets: 100, lost: 0, segments: 1 });
  });

  it('a sender that really restarts its numbering is followed after one confirming packet', () => {
    const first = partyPackets(CALLER, 50, T0);
    const restarted = partyPackets({ ...CALLER, seq0: 30_000, ts0: 9_000_000 }, 50, T0, 50);
    const t = build([...first, ...restarted]);
    expect(t.durationMs).toBe(2000);
    expect(t.stats.cut.packets).toBe(0);
    expect(t.stats.channels[0]).toMatchObject({ packets: 100, segments: 2 });
  });

  it('cuts the track at the configured maximum and says how much', () => {
    const t = build(callPackets(3), { maxDurationMs: 1000 });
    expect(t.durationMs).toBe(1000);
    expect(t.stats.cut.overMaxMs).toBe(2003);
    expect([...t.pcmChunks()].reduce((n, b) => n + b.length, 0)).toBe(8000 * 4);
  });

  it('an ordinary call has nothing cut', () => {
    expect(build(callPackets(3)).stats.cut).toEqual({ packets: 0, overMaxMs: 0 });
  });
});
