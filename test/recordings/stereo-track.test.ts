import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UdpDatagram } from '../../services/recordings/pcap-reader';
import { PayloadTypeTable } from '../../services/recordings/payload-types';
import {
  resolverByFirstDestination,
  resolverFromMap,
  StereoTrackBuilder,
  type StereoTrack,
} from '../../services/recordings/stereo-track';
import { encodeTrack } from '../../services/recordings/audio-encoder';
import { callPackets, CALLEE, CALLER, channel, decodeAudio, partyPackets } from './call-builder';
import { goertzel, rtpPacket } from './pcap-builder';

const map = { left: [CALLER.src], right: [CALLEE.src] };

function build(packets: UdpDatagram[], resolver = resolverFromMap(map)): StereoTrack {
  const b = new StereoTrackBuilder(resolver, new PayloadTypeTable());
  for (const p of packets) b.add(p);
  return b.finish();
}

function pcm(track: StereoTrack): Int16Array {
  const buf = Buffer.concat([...track.pcmChunks(1234)]);
  return new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

function tonesAt(s: Int16Array, from: number, to: number) {
  const l = channel(s, 0, from, to);
  const r = channel(s, 1, from, to);
  return { l440: goertzel(l, 440), l880: goertzel(l, 880), r440: goertzel(r, 440), r880: goertzel(r, 880) };
}

describe('stereo track', () => {
  it('puts the caller left and the callee right, 3 s long', () => {
    const t = build(callPackets(3));
    expect(t.frames).toBe(24_000 + 24); // callee starts 3 ms later
    const s = pcm(t);
    const g = tonesAt(s, 100, 23_900);
    expect(g.l440).toBeGreaterThan(1000 * g.l880);
    expect(g.r880).toBeGreaterThan(1000 * g.r440);
    expect(t.stats.channels[0]).toMatchObject({ packets: 150, lost: 0, duplicates: 0, ssrcs: 1 });
  });

  it('keeps lost packets as silence so timing stays true', () => {
    const a = { ...CALLER, drop: (i: number) => i % 10 === 3 };
    const t = build(callPackets(3, undefined, a, CALLEE));
    expect(t.frames).toBe(24_024);
    expect(t.stats.channels[0]).toMatchObject({ packets: 135, lost: 15 });
    const left = channel(pcm(t), 0);
    // packet 3 → samples 480..639 are silent, packet 4 carries tone again
    expect(left.subarray(480, 640).every((v) => v === 0)).toBe(true);
    expect(left.subarray(640, 800).some((v) => v !== 0)).toBe(true);
  });

  it('puts reordered packets back and drops duplicates', () => {
    const clean = pcm(build(partyPackets(CALLER, 50, 1e15)));
    const shuffled = partyPackets(CALLER, 50, 1e15);
    const [p5, p6] = [shuffled[5]!, shuffled[6]!];
    shuffled[5] = { ...p6, timeUs: p5.timeUs };
    shuffled[6] = { ...p5, timeUs: p6.timeUs + 15_000 };
    shuffled.push({ ...shuffled[10]!, timeUs: shuffled[10]!.timeUs + 40_000 });
    const t = build(shuffled);
    expect(t.stats.channels[0]).toMatchObject({ packets: 50, duplicates: 1, lost: 0 });
    expect(pcm(t)).toEqual(clean);
  });

  it('survives sequence and timestamp wrap-around', () => {
    const a = { ...CALLER, seq0: 65_530, ts0: 0xffffffff - 800 };
    const t = build(partyPackets(a, 20, 1e15));
    expect(t.frames).toBe(20 * 160);
    expect(t.stats.channels[0]).toMatchObject({ packets: 20, lost: 0, segments: 1 });
    expect(pcm(t)).toEqual(pcm(build(partyPackets(CALLER, 20, 1e15))));
  });

  it('places a new SSRC on the capture clock', () => {
    const first = partyPackets(CALLER, 50, 1e15); // 0–1 s
    const second = partyPackets({ ...CALLER, ssrc: 0x9999, ts0: 7, seq0: 3 }, 50, 1e15 + 2e6); // 2–3 s
    const t = build([...first, ...second]);
    expect(t.frames).toBe(3 * 8000);
    expect(t.stats.channels[0]).toMatchObject({ ssrcs: 2, segments: 2, packets: 100 });
    const left = channel(pcm(t), 0);
    expect(left.subarray(8000, 16_000).every((v) => v === 0)).toBe(true);
    expect(goertzel(left.subarray(16_000), 440)).toBeGreaterThan(1e4);
  });

  it('starts a new segment when the timestamp jumps against the arrival times', () => {
    const first = partyPackets(CALLER, 50, 1e15);
    const jumped = partyPackets({ ...CALLER, ts0: 50_000 + 8000 * 600 }, 50, 1e15, 50); // 1–2 s, clock 10 min ahead
    const t = build([...first, ...jumped]);
    expect(t.frames).toBe(2 * 8000);
    expect(t.stats.channels[0].segments).toBe(2);
  });

  it('skips telephone-event, RTCP, garbage and unmapped sources, counting them', () => {
    const ev = rtpPacket({ payloadType: 101, sequence: 1, timestamp: 1, ssrc: 5, payload: Buffer.alloc(4) });
    const extra: UdpDatagram[] = [
      { timeUs: 1e15, src: CALLER.src, dst: CALLER.dst, payload: ev },
      { timeUs: 1e15, src: CALLER.src, dst: CALLER.dst, payload: Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 0]) },
      { timeUs: 1e15, src: CALLER.src, dst: CALLER.dst, payload: Buffer.from('STUN-ish junk') },
      { timeUs: 1e15, src: '9.9.9.9:9', dst: '8.8.8.8:8', payload: ev },
    ];
    const t = build([...extra, ...partyPackets(CALLER, 10, 1e15)]);
    expect(t.stats).toMatchObject({ skippedEvents: 1, rtcp: 1, malformed: 1, unassigned: 1 });
    expect(t.frames).toBe(1600);
  });

  it('refuses G.729 with codec-not-supported', () => {
    const g729 = rtpPacket({ payloadType: 18, sequence: 1, timestamp: 1, ssrc: 5, payload: Buffer.alloc(20) });
    expect(() => build([{ timeUs: 1e15, src: CALLER.src, dst: CALLER.dst, payload: g729 }])).toThrowError(
      expect.objectContaining({ code: 'codec-not-supported' }),
    );
  });

  it('without a map, assigns channels by rtpengine port in order of appearance', () => {
    const t = build(callPackets(1), resolverByFirstDestination());
    const g = tonesAt(pcm(t), 100, 7900);
    expect(g.l440).toBeGreaterThan(1000 * g.l880);
    expect(g.r880).toBeGreaterThan(1000 * g.r440);
  });

  it('gives an empty track for no packets', () => {
    const t = build([]);
    expect(t.frames).toBe(0);
    expect([...t.pcmChunks()]).toEqual([]);
  });

  it('writes WAV and Opus that decode to the same tones and length, channels kept apart despite loss', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enc-'));
    const t = build(callPackets(3, undefined, { ...CALLER, drop: (i) => i % 10 === 4 }, CALLEE));
    const wav = await encodeTrack(t, 'wav', path.join(dir, 'a.wav'));
    expect(wav).toMatchObject({ codec: 'pcm-s16le', bytes: 44 + t.frames * 4 });
    expect(readFileSync(path.join(dir, 'a.wav')).subarray(0, 4).toString()).toBe('RIFF');
    const opus = await encodeTrack(t, 'opus', path.join(dir, 'a.ogg'));
    expect(opus.codec).toBe('opus');
    expect(opus.pcmBytes / opus.bytes).toBeGreaterThan(4);
    await encodeTrack(t, 'opus', path.join(dir, 'b.ogg'), { opusComplexity: 8 });
    // Minimum power ratio of the own tone over the other side's: a tone against
    // a tone cut by loss is libopus' worst case (−17 dB at complexity 5, −31 dB at 8).
    const separation: Record<string, number> = { 'a.wav': 300, 'a.ogg': 20, 'b.ogg': 300 };
    for (const [f, min] of Object.entries(separation)) {
      const s = decodeAudio(path.join(dir, f));
      expect(Math.abs(s.length / 2 - t.frames)).toBeLessThan(8 * 20);
      const g = tonesAt(s, 1000, 23_000);
      expect(g.l440).toBeGreaterThan(min * g.l880);
      expect(g.r880).toBeGreaterThan(min * g.r440);
    }
  });

  it('reports a failing encoder with encoder-failed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enc-'));
    await expect(encodeTrack(build(callPackets(1)), 'opus', path.join(dir, 'x.ogg'), { opusBitrate: 'nonsense' })).rejects.toMatchObject({
      code: 'encoder-failed',
    });
    await expect(encodeTrack(build(callPackets(1)), 'opus', path.join(dir, 'y.ogg'), { ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toMatchObject({
      code: 'encoder-failed',
    });
  });
});
