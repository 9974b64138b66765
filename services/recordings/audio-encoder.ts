// Writes a stereo track to a file: WAV (16-bit PCM, 8 kHz) directly, or Opus
// in Ogg through Debian's ffmpeg (libopus), fed raw PCM on stdin.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { encoderFailed } from './errors';
import { wavHeader, type StereoTrack } from './stereo-track';

export type AudioFormat = 'opus' | 'wav';

export interface EncodedAudio {
  format: AudioFormat;
  codec: 'opus' | 'pcm-s16le';
  mediaType: 'audio/ogg' | 'audio/wav';
  /** Bytes of 16-bit PCM the track holds. */
  pcmBytes: number;
  /** Bytes of the written file. */
  bytes: number;
}

export interface EncoderOptions {
  ffmpegPath?: string;
  /** Opus bit rate for two 8 kHz voice channels. */
  opusBitrate?: string;
  /**
   * libopus complexity 0–10. Measured on this box (ffmpeg 5.1, libopus, 24 kbit/s,
   * 60 ms frames): 5 costs ~55 % of 8 and ~50 % of the default 10. Cross-talk
   * with real speech on one side and a tone on the other: −37 dB at 5, −40 dB
   * at 8; with a tone against a tone cut by 10 % packet loss: −17 dB at 5–7,
   * −31 dB at 8. Speech is what we record, so 5.
   */
  opusComplexity?: number;
  /** 60 ms frames save ~6 % CPU; a recording has no latency budget. */
  opusFrameMs?: 20 | 40 | 60;
  /** 'voip' (SILK) keeps the two parties apart; 'audio' at low bit rates was seen to merge them. */
  opusApplication?: 'voip' | 'audio';
  /** ffmpeg is killed after this long: a stuck encoder must not hold the pipeline. */
  timeoutMs?: number;
}

async function writeAll(out: Writable, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

async function writeWav(track: StereoTrack, outPath: string): Promise<number> {
  const pcmBytes = track.frames * 4;
  const out = createWriteStream(outPath, { mode: 0o600 });
  out.write(wavHeader(pcmBytes));
  await writeAll(out, track.pcmChunks());
  out.end();
  await once(out, 'close');
  return 44 + pcmBytes;
}

async function writeOpus(track: StereoTrack, outPath: string, opts: EncoderOptions): Promise<number> {
  const args = [
    ...['-hide_banner', '-nostats', '-loglevel', 'error', '-y'],
    ...['-f', 's16le', '-ar', '8000', '-ac', '2', '-i', 'pipe:0'],
    ...['-c:a', 'libopus', '-b:a', opts.opusBitrate ?? '24k', '-application', opts.opusApplication ?? 'voip', '-vbr', 'on'],
    ...['-compression_level', String(opts.opusComplexity ?? 5), '-frame_duration', String(opts.opusFrameMs ?? 60)],
    ...['-f', 'ogg', outPath],
  ];
  const ff = spawn(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  ff.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    ff.once('error', (e) => reject(encoderFailed(`cannot start ${opts.ffmpegPath ?? 'ffmpeg'}: ${e.message}`)));
    ff.once('close', (code) => resolve(code));
  });
  const timer = setTimeout(() => ff.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  try {
    // EPIPE when ffmpeg dies early is reported through its exit code below.
    ff.stdin.on('error', () => undefined);
    await Promise.race([writeAll(ff.stdin, track.pcmChunks()), exited]);
    ff.stdin.end();
    const code = await exited;
    // A full disk is the disk's fault, not the capture's: report it as the ENOSPC it is (pipeline.ts keeps the capture).
    if (code !== 0 && /No space left on device/i.test(stderr)) throw Object.assign(new Error('ffmpeg: no space left on device'), { code: 'ENOSPC' });
    if (code !== 0) throw encoderFailed(`ffmpeg exited with ${code}: ${stderr.trim().slice(0, 500)}`);
  } finally {
    clearTimeout(timer);
  }
  return (await stat(outPath)).size;
}

export async function encodeTrack(
  track: StereoTrack,
  format: AudioFormat,
  outPath: string,
  opts: EncoderOptions = {},
): Promise<EncodedAudio> {
  const bytes = format === 'wav' ? await writeWav(track, outPath) : await writeOpus(track, outPath, opts);
  return {
    format,
    codec: format === 'wav' ? 'pcm-s16le' : 'opus',
    mediaType: format === 'wav' ? 'audio/wav' : 'audio/ogg',
    pcmBytes: track.frames * 4,
    bytes,
  };
}
