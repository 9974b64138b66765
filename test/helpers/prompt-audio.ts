// Audio for prompt tests, made by ffmpeg from its tone generator, and
// measurements on what the prompt library wrote: the WAV format, the
// duration, the loudness and the pitch, decoded by our own G.711 tables.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeG711 } from '../../services/recordings';
import { wavChunks, wavData } from '../../services/prompts/sniff';

/** A `seconds`-long tone at `hz` as `file` (the extension picks ffmpeg's muxer). */
export function tone(dir: string, file: string, seconds: number, hz = 440, extra: string[] = []): Buffer {
  const out = path.join(dir, file);
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}:sample_rate=44100`, ...extra, out], { timeout: 60_000 });
  return readFileSync(out);
}

export interface WavInfo {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  samples: number;
}

export function wavInfo(b: Buffer): WavInfo {
  const fmt = wavChunks(b).chunks.find((c) => c.id === 'fmt ');
  if (!fmt) throw new Error('no fmt chunk');
  const at = fmt.offset;
  const info = { formatTag: b.readUInt16LE(at), channels: b.readUInt16LE(at + 2), sampleRate: b.readUInt32LE(at + 4), bitsPerSample: b.readUInt16LE(at + 14) };
  return { ...info, samples: wavData(b).length / (info.bitsPerSample / 8) / info.channels };
}

/** 16-bit samples of a G.711 WAV (format 6 = A-law, 7 = µ-law) or a 16-bit PCM WAV. */
export function samplesOf(b: Buffer): Int16Array {
  const info = wavInfo(b);
  const data = wavData(b);
  if (info.formatTag === 1) return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  const out = new Int16Array(data.length);
  decodeG711(info.formatTag === 6 ? 'alaw' : 'ulaw', data, out);
  return out;
}

export function rms(s: Int16Array): number {
  let sum = 0;
  for (const v of s) sum += v * v;
  return Math.sqrt(sum / Math.max(1, s.length));
}

/** Pitch by zero crossings, for a pure tone. */
export function pitchHz(s: Int16Array, rate = 8000): number {
  let crossings = 0;
  for (let i = 1; i < s.length; i++) if ((s[i - 1]! < 0) !== (s[i]! < 0)) crossings++;
  return crossings / 2 / (s.length / rate);
}

/** Share of 20 ms frames louder than the threshold: speech has many, silence none. */
export function voicedShare(s: Int16Array, threshold = 500): number {
  const frame = 160;
  let loud = 0;
  let frames = 0;
  for (let i = 0; i + frame <= s.length; i += frame, frames++) if (rms(s.subarray(i, i + frame)) > threshold) loud++;
  return frames ? loud / frames : 0;
}

export function readWav(file: string): Buffer {
  return readFileSync(file);
}
