// 16-bit mono PCM WAV files for the softphones' file audio: a tone to send,
// and what the phone received, analysed with the Goertzel helper.
import { readFileSync, writeFileSync } from 'node:fs';
import { goertzel, tone } from '../../recordings/pcap-builder';

/** Writes `seconds` of a `freq` Hz sine at `rate` Hz (RIFF/WAVE, PCM 16-bit mono). */
export function writeToneWav(file: string, freq: number, seconds: number, rate = 8000): void {
  const samples = tone(freq, Math.round(seconds * rate), 0, 8000, rate);
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([h, data]));
}

export interface Wav {
  rate: number;
  channels: number;
  samples: Int16Array; // first channel only
}

/** Reads a PCM 16-bit WAV, walking its chunks (writers add LIST and fact chunks, and may leave sizes unset while writing). */
export function readWav(file: string): Wav {
  const b = readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAVE file`);
  let off = 12;
  let rate = 0;
  let channels = 1;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(off + 10);
      rate = b.readUInt32LE(off + 12);
      if (b.readUInt16LE(off + 22) !== 16) throw new Error(`${file}: not 16-bit PCM`);
    } else if (id === 'data') {
      const end = size === 0 || off + 8 + size > b.length ? b.length : off + 8 + size;
      const n = Math.floor((end - off - 8) / (2 * channels));
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(off + 8 + i * 2 * channels);
      return { rate, channels, samples };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

/**
 * Per-second windows of the file: for each, whether `freq` dominates `other`
 * and the window is not silence. A received tone shows up as a run of such windows.
 */
export function toneSeconds(w: Wav, freq: number, other: number): number {
  let n = 0;
  for (let s = 0; s + w.rate <= w.samples.length; s += w.rate) {
    const win = w.samples.subarray(s, s + w.rate);
    const p = goertzel(win, freq, w.rate);
    const q = goertzel(win, other, w.rate);
    // An 8000-amplitude sine gives about 1.6e7; G.711 and resampling keep it within a few dB.
    if (p > 1e6 && p > 20 * q) n++;
  }
  return n;
}
