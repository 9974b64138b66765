// Recordings conversion rate for `korobka selftest`: the recordings service's
// own converter pool (the built worker threads, sized as the config sizes
// them, with the config's format and bit rate) turns a generated capture — a
// two-way G.711 call as rtpengine writes it, a tone each way — into audio,
// as many at once as the pool takes, twice over. The figure is seconds of
// call audio converted per second of wall time: how many recorded calls
// running at once the box keeps up with.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeG711 } from '../../services/recordings';
import { makeConverter, poolSize } from '../../services/recordings/converter-pool';
import type { Config } from '../config/schema';
import { buildPcap, rtpPacket } from './pcap-builder';

export interface ConversionResult {
  format: string;
  workers: number;
  recordings: number;
  /** Length of each generated call, seconds. */
  callSeconds: number;
  /** Audio the converter reported for all of them, seconds. */
  audioSeconds: number;
  seconds: number;
  /** audioSeconds / seconds: recorded calls at once the converter keeps up with. */
  audioSecondsPerSecond: number;
}

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 30000 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', ''].join('\r\n');

/** A capture of a `seconds`-long call: 20 ms A-law frames each way, as rtpengine's pcap recording holds them. */
export function generatedCapture(file: string, seconds: number): void {
  const frame = (freq: number, i: number) => encodeG711('alaw', Array.from({ length: 160 }, (_, k) => Math.round(6000 * Math.sin((2 * Math.PI * freq * (i * 160 + k)) / 8000))));
  const t0 = Date.now() * 1000;
  const packets = [];
  for (let i = 0; i < seconds * 50; i++) {
    const rtp = (ssrc: number, freq: number) => rtpPacket({ payloadType: 8, sequence: i & 0xffff, timestamp: (i * 160) >>> 0, ssrc, payload: frame(freq, i), marker: i === 0 });
    packets.push({ timeUs: t0 + i * 20_000, src: '127.0.0.1:30000', dst: '127.0.0.1:40000', payload: rtp(0x1111, 440) });
    packets.push({ timeUs: t0 + i * 20_000 + 500, src: '127.0.0.1:40000', dst: '127.0.0.1:30000', payload: rtp(0x2222, 880) });
  }
  writeFileSync(file, buildPcap(packets));
}

export async function conversionRate(config: Readonly<Config>, distDir: string, dir: string, callSeconds: number): Promise<ConversionResult> {
  mkdirSync(dir, { recursive: true });
  const pcap = path.join(dir, 'capture.pcap');
  generatedCapture(pcap, callSeconds);
  const r = config.recordings;
  const converter = makeConverter(path.join(distDir, 'services', 'recordings', 'convert-worker.js'), poolSize(r.converters));
  const jobs = converter.size * 2;
  const t0 = process.hrtime.bigint();
  try {
    const results = await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        converter.run({
          pcaps: [pcap],
          allowTruncatedTail: false,
          channels: undefined,
          sdp: SDP,
          paused: [],
          format: r.format,
          encoder: { opusBitrate: `${Math.round(r.opusBitrate / 1000)}k` },
          maxDurationMs: r.maxRecordingHours * 3600_000,
          audioPath: path.join(dir, `audio-${i}.${r.format === 'wav' ? 'wav' : 'ogg'}`),
        }),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const audioSeconds = results.reduce((n, x) => n + x.durationMs / 1000, 0);
    return { format: r.format, workers: converter.size, recordings: jobs, callSeconds, audioSeconds: Math.round(audioSeconds), seconds: Math.round(seconds * 100) / 100, audioSecondsPerSecond: Math.round((audioSeconds / seconds) * 10) / 10 };
  } finally {
    await converter.close();
  }
}
