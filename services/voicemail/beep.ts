// The tone before recording: 1 kHz for 400 ms as A-law WAV, written once into
// the data directory for rtpengine's `play media` (it is not anyone's audio).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeG711 } from '../recordings';
import { VOICEMAIL_DIR } from './message-store';

export function alawWav(samples: ArrayLike<number>): Buffer {
  const data = encodeG711('alaw', samples);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(6, 20); // WAVE_FORMAT_ALAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export function ensureBeep(dataDir: string): { file: string } {
  const file = path.join(dataDir, VOICEMAIL_DIR, 'beep.wav');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const samples = Array.from({ length: 3200 }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, alawWav(samples), { mode: 0o644 });
    renameSync(tmp, file);
  }
  return { file };
}
