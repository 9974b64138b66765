// Messages are kept as 16-bit PCM WAV, 8 kHz mono: every browser and mail
// client plays it, whatever G.711 law the caller's phone spoke.
import { decodeG711, type G711Law } from '../recordings';

export const SAMPLE_RATE = 8000;

export function wavFromG711(law: G711Law, payload: Buffer): Buffer {
  const samples = new Int16Array(payload.length);
  decodeG711(law, payload, samples);
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** 16-bit PCM samples of a WAV this module wrote (for playing a message back by phone). */
export function pcmOfWav(wav: Buffer): Int16Array {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 36, 40) !== 'data') throw new Error('not a voicemail WAV');
  const n = Math.floor(wav.readUInt32LE(40) / 2);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = wav.readInt16LE(44 + i * 2);
  return out;
}

export const durationMsOf = (g711Bytes: number): number => Math.round((g711Bytes * 1000) / SAMPLE_RATE);
