// What a feature may do to a call, beyond routing it on: the primitives of
// IVRs, queues, voicemail and announcements. Features receive them as
// `deps.actions` (features/feature.ts), so a feature's unit test gives fakes
// and its end-to-end test the real ones (answer.ts, play.ts,
// collect-digits.ts, ring.ts over rtpengine and drachtio-srf).
import type { Call } from '../call/call';
import type { Leg } from '../call/leg';

/** A prompt rtpengine can play: an absolute path to a WAV (or A-law/µ-law) file on this box. */
export interface Prompt {
  file: string;
  /** The stored length: rtpengine 10.5 measures a WAV but answers no duration for the paced Matroska copy (services/prompts/paced.ts). */
  durationMs?: number;
}

/** Audio held in memory (a decrypted voicemail message), played without a file: rtpengine's `play media` with `blob=`. */
export interface AudioPrompt {
  audio: Buffer;
  durationMs?: number;
}

export interface PlayOptions {
  /** Times to play it (rtpengine `repeat-times`), 1 by default. */
  repeat?: number;
  /** Stop playing at the first digit the caller presses (the digit is kept for collectDigits). */
  bargeIn?: boolean;
  /** Stops the prompt when aborted (a queue's music on hold when an announcement is due or an agent answered). */
  signal?: AbortSignal;
}

export type PlayOutcome = { kind: 'played'; durationMs?: number } | { kind: 'interrupted'; digit: string } | { kind: 'stopped' } | { kind: 'ended' };

export interface CollectOptions {
  /** At most this many digits (dial-by-extension: 6). */
  max: number;
  /** Wait for the first digit this long. */
  timeoutMs: number;
  /** Between digits; the collection ends when it passes. */
  interDigitMs: number;
  /** Ends the collection without being part of it (usually '#'). */
  terminator?: string;
  /** Played first; a digit during it starts the collection. */
  prompt?: Prompt;
}

export type Digits = { kind: 'digits'; digits: string } | { kind: 'timeout'; digits: '' } | { kind: 'ended' };

export interface RingTarget {
  extension: string;
  /** Start ringing this member this long after the others (ring all) or after its turn began (hunt). */
  delayMs?: number;
  /** Ring this member this long (hunt: then the next one). */
  timeoutMs?: number;
}

export interface RingOptions {
  /** `all`: every member at once, the first to answer wins; `hunt`: one after another in order. */
  strategy: 'all' | 'hunt';
  /** The whole attempt gives up after this long. */
  timeoutMs: number;
  /**
   * Members passed over without ringing (reported in `tried`): on DND, already
   * on a call, with no phone registered. All true unless a ring group says
   * otherwise (a busy member with call waiting may still be rung).
   */
  skip?: { dnd: boolean; busy: boolean; unregistered: boolean };
}

export type RingOutcome =
  /** A member answered and is connected to the caller: the call is answered and its legs own it now. */
  | { kind: 'answered'; extension: string; leg: Leg }
  /** Nobody answered (busy, no answer, not registered, DND); `tried` in order with why. */
  | { kind: 'not-answered'; tried: Array<{ extension: string; why: 'busy' | 'no-answer' | 'unreachable' | 'dnd' | 'failed' }> }
  | { kind: 'ended' };

export interface RecordOptions {
  /** Stop after this much audio. */
  maxMs: number;
  /** A digit that ends the recording (usually '#'); not part of the audio. */
  terminator?: string;
  /** Stop when no audio packet arrived for this long (a phone that sends nothing). */
  noMediaMs?: number;
}

/** The caller's audio, G.711 as received: held in memory only (the caller may be leaving a voicemail). */
export interface RecordedAudio {
  law: 'alaw' | 'ulaw';
  payload: Buffer;
}

export type RecordOutcome = {
  kind: 'recorded';
  audio: RecordedAudio;
  /** Why it stopped: the terminator, the length limit, the caller hanging up, or no media. */
  endedBy: 'terminator' | 'max-length' | 'hangup' | 'no-media';
};

export interface CallActions {
  /** Answers the caller's leg by the PBX itself (200 with rtpengine's SDP), once; later calls resolve at once. */
  answer(call: Call): Promise<void>;
  /** Plays to the caller; resolves when it has played (rtpengine reports the length), on barge-in, or when the call ends. */
  play(call: Call, prompt: Prompt | AudioPrompt, opts?: PlayOptions): Promise<PlayOutcome>;
  collectDigits(call: Call, opts: CollectOptions): Promise<Digits>;
  /** Rings members and connects the first to answer: before the caller is answered as a fork, after it by re-INVITE. */
  ring(call: Call, targets: readonly RingTarget[], opts: RingOptions): Promise<RingOutcome>;
  /** Records what the caller says (after the PBX answered) until the terminator, the limit or hangup; the audio is returned even when the caller hung up. */
  record(call: Call, opts: RecordOptions): Promise<RecordOutcome>;
  /** Plays to both parties of a just-answered call before they hear each other (announce.ts); B hears it only with `toCallee`. */
  announce(call: Call, prompt: Prompt, opts: { toCallee: boolean }): Promise<PlayOutcome>;
}
