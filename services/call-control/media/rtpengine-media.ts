// What the B2BUA asks of the media plane, on top of rtpengine's ng protocol.
// One rtpengine call per PBX call, keyed by the A leg's Call-ID; parties are
// named by tag (A: the caller's From tag, B: the tag chosen for the callee).
// Facts about rtpengine 10.5 behind each choice: ../shared/notes/sip-core-and-rtpengine.md, part B.
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { parseCallStats, type CallStats } from './call-stats';
import type { NgClient } from './ng-client';
import { answerParams, offerParams, type AnswerInput, type OfferInput } from './ng-params';

export const invalidMediaRequest = (field: string, why: string): AppError =>
  new AppError(400, 'invalid-media-request', `${field}: ${why}`, { field });

const TOKEN = /^[\x21-\x7e]{1,256}$/; // Call-ID and tags: RFC 3261 §25.1 word / token, visible ASCII

function need(field: string, value: string): void {
  if (!TOKEN.test(value)) throw invalidMediaRequest(field, 'must be 1–256 visible ASCII characters');
}

function needSdp(sdp: string): void {
  // RFC 4566 §5: an SDP starts with v=0; 64 KiB is far beyond any audio offer.
  if (!/^v=0\r?\n/.test(sdp) || sdp.length > 65_536) throw invalidMediaRequest('sdp', 'not an SDP body');
}

export interface PlayResult {
  /** Length of the prompt in ms; rtpengine 10.5 sends no end-of-playback event (notes B.4). */
  durationMs?: number;
}

/** The largest audio `playBlob` sends: 10 min of 16-bit 8 kHz WAV (a voicemail box's longest message) and some. */
export const MAX_BLOB_BYTES = 12 * 1024 * 1024;

export class RtpengineMedia {
  /** `blob`: the ng channel over HTTP (ng-http-client.ts) that carries audio bytes; without it playBlob refuses. */
  constructor(private readonly deps: { ng: NgClient; blob?: NgClient; log: Logger }) {}

  /** A's offer in, the SDP to send to B out. */
  async offer(input: OfferInput): Promise<{ sdp: string }> {
    need('callId', input.callId);
    need('fromTag', input.fromTag);
    if (input.toTag !== undefined) need('toTag', input.toTag);
    needSdp(input.sdp);
    const reply = await this.deps.ng.command('offer', offerParams(input));
    return { sdp: this.sdpOf('offer', reply) };
  }

  /** B's answer in, the SDP to send back to A out. */
  async answer(input: AnswerInput): Promise<{ sdp: string }> {
    need('callId', input.callId);
    need('fromTag', input.fromTag);
    need('toTag', input.toTag);
    needSdp(input.sdp);
    const reply = await this.deps.ng.command('answer', answerParams(input));
    return { sdp: this.sdpOf('answer', reply) };
  }

  /**
   * Ends the media session. rtpengine 10.5 answers `delete` with a bare `ok`,
   * so the final counters (for the CDR) come from a `query` just before it;
   * undefined when rtpengine no longer had the call.
   */
  async delete(callId: string, fromTag?: string): Promise<CallStats | undefined> {
    need('callId', callId);
    if (fromTag !== undefined) need('fromTag', fromTag);
    let last: CallStats | undefined;
    try {
      last = await this.query(callId);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'media-call-not-found')) throw e;
    }
    await this.deps.ng.command('delete', { 'call-id': callId, ...(fromTag ? { 'from-tag': fromTag } : {}) });
    return last;
  }

  async query(callId: string): Promise<CallStats> {
    need('callId', callId);
    return parseCallStats(await this.deps.ng.command('query', { 'call-id': callId }));
  }

  /** Stops media *from* `party` reaching the other side (hold). `all`: both ways. */
  async blockMedia(callId: string, party: string | 'all'): Promise<void> {
    await this.deps.ng.command('blockMedia', this.partyParams(callId, party));
  }

  async unblockMedia(callId: string, party: string | 'all'): Promise<void> {
    await this.deps.ng.command('unblockMedia', this.partyParams(callId, party));
  }

  /** Replaces media *from* `party` with silence (mute); the stream keeps flowing. */
  async silenceMedia(callId: string, party: string): Promise<void> {
    await this.deps.ng.command('silenceMedia', this.partyParams(callId, party));
  }

  async unsilenceMedia(callId: string, party: string): Promise<void> {
    await this.deps.ng.command('unsilenceMedia', this.partyParams(callId, party));
  }

  /**
   * Starts recording mid-call ("record this call" pressed by an agent). Unlike
   * `record` at offer/answer, rtpengine then writes no SDPs into the metadata
   * file (notes B.2), so the recordings service must know the codecs otherwise.
   */
  async startRecording(callId: string, metadata?: string): Promise<void> {
    need('callId', callId);
    await this.deps.ng.command('startRecording', { 'call-id': callId, ...(metadata ? { metadata } : {}) });
  }

  async stopRecording(callId: string): Promise<void> {
    need('callId', callId);
    await this.deps.ng.command('stopRecording', { 'call-id': callId });
  }

  /** Plays a WAV (or other file rtpengine decodes) *to* `party`, in that party's codec. */
  async playMedia(callId: string, party: string, file: string, opts: { repeatTimes?: number } = {}): Promise<PlayResult> {
    need('party', party);
    if (!file.startsWith('/') || file.length > 4096 || file.includes('\0')) throw invalidMediaRequest('file', 'must be an absolute path');
    const repeat = opts.repeatTimes ?? 1;
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) throw invalidMediaRequest('repeatTimes', 'must be 1–1000');
    const reply = await this.deps.ng.command('playMedia', { ...this.partyParams(callId, party), file, ...(repeat > 1 ? { 'repeat-times': repeat } : {}) });
    // A file whose container declares no stream length (Matroska) gets no duration, or a meaningless one.
    return typeof reply.duration === 'number' && reply.duration > 0 ? { durationMs: reply.duration } : {};
  }

  /**
   * Plays audio held in memory (a decrypted voicemail message) *to* `party`:
   * `play media` with `blob=`, which rtpengine decodes like a file (ffmpeg
   * probes the bytes: WAV, A-law/µ-law WAV…). Sent over the HTTP channel,
   * as a UDP datagram cannot hold it; no copy is written anywhere.
   */
  async playBlob(callId: string, party: string, audio: Buffer): Promise<PlayResult> {
    need('party', party);
    if (!this.deps.blob) throw new AppError(503, 'media-blob-unavailable', 'rtpengine is not reachable over HTTP: audio from memory cannot be played');
    if (audio.length === 0 || audio.length > MAX_BLOB_BYTES) throw invalidMediaRequest('audio', `must be 1 byte to ${MAX_BLOB_BYTES} bytes, got ${audio.length}`);
    const reply = await this.deps.blob.command('playMedia', { ...this.partyParams(callId, party), blob: audio });
    return typeof reply.duration === 'number' && reply.duration > 0 ? { durationMs: reply.duration } : {};
  }

  async stopMedia(callId: string, party: string): Promise<void> {
    await this.deps.ng.command('stopMedia', this.partyParams(callId, party));
  }

  /** RFC 4733 event into `party`'s outgoing stream; needs `dtmfInjection` at offer/answer. */
  async playDtmf(callId: string, party: string, digit: string, durationMs = 160): Promise<void> {
    if (!/^[0-9*#A-Da-d]$/.test(digit)) throw invalidMediaRequest('digit', 'must be one of 0-9 * # A-D');
    if (!Number.isInteger(durationMs) || durationMs < 40 || durationMs > 5000) throw invalidMediaRequest('durationMs', 'must be 40–5000');
    await this.deps.ng.command('playDTMF', { ...this.partyParams(callId, party), code: digit.toUpperCase(), duration: durationMs });
  }

  private partyParams(callId: string, party: string): Record<string, unknown> {
    need('callId', callId);
    if (party === 'all') return { 'call-id': callId, flags: ['all'] };
    need('party', party);
    return { 'call-id': callId, 'from-tag': party };
  }

  private sdpOf(command: string, reply: Record<string, unknown>): string {
    if (typeof reply.sdp !== 'string') throw new AppError(502, 'rtpengine-error', `rtpengine answered ${command} without SDP`);
    return reply.sdp;
  }
}
