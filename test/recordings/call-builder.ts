// Synthetic calls for tests and the benchmark: two parties sending 20 ms
// G.711 packets of a tone, with loss, reordering and duplicates on demand,
// and a decoder of our audio files back to PCM through ffmpeg.
import { spawnSync } from 'node:child_process';
import type { UdpDatagram } from '../../services/recordings/pcap-reader';
import { encodeG711, type G711Law } from '../../services/recordings/g711';
import { rtpPacket, tone } from './pcap-builder';

export interface PartySpec {
  src: string;
  dst: string;
  freq: number;
  law: G711Law;
  ssrc: number;
  seq0?: number;
  ts0?: number;
  /** Drop packet i when this returns true. */
  drop?: (i: number) => boolean;
  /** 160 G.711 bytes of packet i in this party's law; default: the tone `freq`. */
  payload?: (i: number) => Buffer;
}

export const CALLER: PartySpec = { src: '10.0.0.1:4000', dst: '127.0.0.1:30002', freq: 440, law: 'alaw', ssrc: 0x1111 };
export const CALLEE: PartySpec = { src: '10.0.0.2:5000', dst: '127.0.0.1:30000', freq: 880, law: 'ulaw', ssrc: 0x2222 };

/** `packets` 20 ms packets of one party, starting at `t0Us`, in send order. */
export function partyPackets(p: PartySpec, packets: number, t0Us: number, startPacket = 0): UdpDatagram[] {
  const out: UdpDatagram[] = [];
  for (let k = 0; k < packets; k++) {
    const i = startPacket + k;
    if (p.drop?.(i)) continue;
    const payload = p.payload?.(i) ?? encodeG711(p.law, tone(p.freq, 160, i * 160));
    const rtp = rtpPacket({
      payloadType: p.law === 'alaw' ? 8 : 0,
      sequence: ((p.seq0 ?? 1000) + i) & 0xffff,
      timestamp: ((p.ts0 ?? 50_000) + i * 160) >>> 0,
      ssrc: p.ssrc,
      payload,
    });
    out.push({ timeUs: t0Us + i * 20_000, src: p.src, dst: p.dst, payload: rtp });
  }
  return out;
}

/** Both parties, interleaved by time. */
export function callPackets(seconds: number, t0Us = 1_800_000_000_000_000, a = CALLER, b = CALLEE): UdpDatagram[] {
  const n = Math.round(seconds * 50);
  return [...partyPackets(a, n, t0Us), ...partyPackets(b, n, t0Us + 3000)].sort((x, y) => x.timeUs - y.timeUs);
}

/**
 * Decodes audio ffmpeg reads (a file, or bytes given on stdin so that no plain
 * copy touches the disk) into interleaved stereo 8 kHz samples.
 */
export function decodeAudio(file: string | Buffer): Int16Array {
  const input = typeof file === 'string' ? file : 'pipe:0';
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', input, '-f', 's16le', '-ar', '8000', '-ac', '2', 'pipe:1'], {
    input: typeof file === 'string' ? undefined : file,
    maxBuffer: 512 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode ${input}: ${r.stderr?.toString()}`);
  const b = r.stdout;
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

export function channel(interleaved: Int16Array, ch: 0 | 1, from = 0, to = interleaved.length / 2): Int16Array {
  const out = new Int16Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) out[i - from] = interleaved[2 * i + ch] ?? 0;
  return out;
}
