// The CPU-heavy half of storing a recording: capture files → stereo track →
// audio file. Runs in a worker thread of the converter pool
// (converter-pool.ts), so it takes and returns plain data only; keys, the
// index and the vault stay with the pipeline on the main thread.
import { stat } from 'node:fs/promises';
import { AppError, isAppError } from '../common/errors';
import { encodeTrack, type AudioFormat, type EncodedAudio, type EncoderOptions } from './audio-encoder';
import { recordingEmpty } from './errors';
import { PayloadTypeTable, payloadTypesFromSdp } from './payload-types';
import { PcapParser, readPcapFile } from './pcap-reader';
import type { PausedSpan } from './recording-index';
import { resolverByFirstDestination, resolverFromMap, StereoTrackBuilder, type ChannelMap, type TrackStats } from './stereo-track';

export interface ConvertJob {
  /** The capture's pcap files in capture order (one per start after a pause). */
  pcaps: string[];
  allowTruncatedTail: boolean;
  channels: ChannelMap | undefined;
  sdp: string;
  /** Paused wall-clock spans, ms since the epoch. */
  paused: Array<{ fromMs: number; toMs: number }>;
  format: AudioFormat;
  encoder: EncoderOptions;
  maxDurationMs: number;
  audioPath: string;
}

export interface ConvertResult {
  frames: number;
  startUs: number;
  durationMs: number;
  stats: TrackStats;
  pausedSpans: PausedSpan[];
  audio: EncodedAudio;
}

/** An error as it crosses a thread: AppErrors keep their code, ENOSPC its errno code. */
export interface SerializedError {
  app?: { status: number; code: string; message: string; details?: unknown };
  errno?: string;
  message: string;
}

export async function convertJob(job: ConvertJob): Promise<ConvertResult> {
  const resolver = job.channels ? resolverFromMap(job.channels) : resolverByFirstDestination();
  const builder = new StereoTrackBuilder(resolver, new PayloadTypeTable(payloadTypesFromSdp(job.sdp)), { maxDurationMs: job.maxDurationMs });
  for (const [i, pcap] of job.pcaps.entries()) {
    // A capture paused before its first packet is an empty file (rtpengine writes the header with the first packet).
    if (i > 0 && (await stat(pcap)).size === 0) continue;
    const parser = new PcapParser({ allowTruncatedTail: job.allowTruncatedTail });
    for await (const d of readPcapFile(pcap, parser)) builder.add(d);
  }
  const track = builder.finish();
  if (track.frames === 0) throw recordingEmpty(job.pcaps[0] ?? '');
  const spans = pausedSpans(job.paused, track.startUs, track.durationMs);
  for (const s of spans) track.mute(s.startMs, s.endMs);
  const audio = await encodeTrack(track, job.format, job.audioPath, job.encoder);
  return { frames: track.frames, startUs: track.startUs, durationMs: track.durationMs, stats: track.stats, pausedSpans: spans, audio };
}

/** The paused wall-clock spans as offsets into the track, clamped to it; spans outside it vanish. */
export function pausedSpans(paused: ConvertJob['paused'], startUs: number, durationMs: number): PausedSpan[] {
  const t0 = startUs / 1000;
  const out: PausedSpan[] = [];
  for (const p of paused) {
    const startMs = Math.max(0, Math.round(p.fromMs - t0));
    const endMs = Math.min(Math.round(durationMs), Math.round(p.toMs - t0));
    if (endMs > startMs) out.push({ startMs, endMs });
  }
  return out;
}

export function serializeError(e: unknown): SerializedError {
  if (isAppError(e)) return { app: { status: e.status, code: e.code, message: e.message, details: e.details }, message: e.message };
  const err = e as NodeJS.ErrnoException | undefined;
  return { message: err?.message ?? String(e), ...(err?.code ? { errno: err.code } : {}) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.app) return new AppError(s.app.status, s.app.code, s.app.message, s.app.details);
  return Object.assign(new Error(s.message), s.errno ? { code: s.errno } : {});
}
