// A capture we did not write: sipp's g711a.pcap (Debian sip-tester), recorded
// on Ethernet in 2002, 236 PCMA packets of 30 ms (tshark: SSRC 0xdee0ee8f,
// seq 59133–59368, timestamps 240–56640, no loss). Read it with our reader
// and place it with our track builder, and compare with those facts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parsePcap, LINKTYPE } from '../../../services/recordings/pcap-reader';
import { PayloadTypeTable } from '../../../services/recordings/payload-types';
import { resolverFromMap, StereoTrackBuilder } from '../../../services/recordings/stereo-track';
import { parseRtp } from '../../../services/recordings/rtp';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeTrack } from '../../../services/recordings/audio-encoder';
import { CALLEE, channel, decodeAudio, partyPackets } from '../../recordings/call-builder';
import { goertzel } from '../../recordings/pcap-builder';

const SIPP_PCAP = '/usr/share/sip-tester/g711a.pcap';

describe("sipp's g711a.pcap", () => {
  it('reads as Ethernet with 236 RTP datagrams between the known endpoints', () => {
    const { datagrams, stats, linkType } = parsePcap(readFileSync(SIPP_PCAP));
    expect(linkType).toBe(LINKTYPE.ethernet);
    expect(stats).toMatchObject({ records: 236, udp: 236, notUdp: 0, clipped: 0 });
    expect(new Set(datagrams.map((d) => `${d.src}>${d.dst}`))).toEqual(new Set(['10.1.3.143:5000>10.1.6.18:2006']));
    const first = parseRtp(datagrams[0]!.payload);
    expect(first).toMatchObject({ payloadType: 8, sequence: 59133, timestamp: 240, ssrc: 0xdee0ee8f });
    expect(first.payload).toHaveLength(240);
  });

  it('becomes a 7.08 s left channel whose samples are ffmpeg\'s A-law decoding of the payloads', () => {
    const { datagrams } = parsePcap(readFileSync(SIPP_PCAP));
    const b = new StereoTrackBuilder(resolverFromMap({ left: ['10.1.3.143:5000'], right: [] }), new PayloadTypeTable());
    for (const d of datagrams) b.add(d);
    const track = b.finish();
    expect(track.frames).toBe(236 * 240);
    expect(track.stats.channels[0]).toMatchObject({ packets: 236, lost: 0, duplicates: 0 });
    const pcm = Buffer.concat([...track.pcmChunks()]);
    const left = channel(new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length)), 0);
    const alaw = Buffer.concat(datagrams.map((d) => parseRtp(d.payload).payload));
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'alaw', '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 's16le', 'pipe:1'], {
      input: alaw,
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    const ref = new Int16Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + r.stdout.length));
    expect(left).toEqual(ref);
    expect(left.some((v) => Math.abs(v) > 1000)).toBe(true); // real audio, not silence
  });

  it('keeps real speech and the other side apart in Opus at the default settings (cross-talk below −30 dB)', async () => {
    const { datagrams } = parsePcap(readFileSync(SIPP_PCAP));
    const t0 = datagrams[0]!.timeUs;
    const other = partyPackets({ ...CALLEE, src: '10.1.6.18:2006', dst: '10.1.3.143:5000' }, 354, t0); // 7.08 s of 880 Hz
    const b = new StereoTrackBuilder(resolverFromMap({ left: ['10.1.3.143:5000'], right: ['10.1.6.18:2006'] }), new PayloadTypeTable());
    for (const d of [...datagrams, ...other].sort((x, y) => x.timeUs - y.timeUs)) b.add(d);
    const track = b.finish();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'speech-')), 'speech.ogg');
    await encodeTrack(track, 'opus', file);
    const pcm = decodeAudio(file);
    const n = Math.min(pcm.length / 2, track.frames) - 800;
    const left = channel(pcm, 0, 800, n);
    const right = channel(pcm, 1, 800, n);
    expect(goertzel(left, 880) / goertzel(right, 880)).toBeLessThan(1e-3);
    const rms = Math.sqrt(left.reduce((a, v) => a + v * v, 0) / left.length);
    expect(rms).toBeGreaterThan(300); // the speech survived
  });
});
