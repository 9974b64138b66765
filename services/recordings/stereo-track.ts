// Builds the stereo track of a call from captured RTP: caller on the left,
// callee on the right, every packet placed by its RTP timestamp.
//
// Timing model: inside one SSRC the RTP timestamp is the sample clock
// (RFC 3550 §5.1), so packets are placed at `offset + timestamp`, which keeps
// lost packets as silence, puts reordered packets back in place and drops
// duplicates (same extended sequence number). The `offset` of a stream ties
// its clock to the capture clock: the smallest (arrival − timestamp) over its
// packets, i.e. the packet that met the least network delay. Both channels
// share the capture clock, so they stay aligned. A new SSRC, or a timestamp
// jump that disagrees with the arrival times by more than JUMP_SECONDS (a
// sender that restarted its clock, e.g. after hold), starts a new segment with
// its own offset.
//
// Bounds (issue 16): a packet is checked against its segment's anchor, not
// only against the packet before it, so a crafted or broken stream cannot
// walk a segment's clock away a little at a time; a late packet (sequence not
// ahead) whose timestamp disagrees with its arrival by more than JUMP_SECONDS
// is rejected (one such packet once stretched a 2 s call to 74.6 h); a large
// sequence jump is accepted only when the next packet confirms it (RFC 3550
// A.1 probation). The finished track never reaches beyond the capture's own
// time span plus JUMP_SECONDS on either side, nor past `maxDurationMs`;
// what falls outside is cut and counted (TrackStats.cut) so the pipeline can
// raise an alarm.
import type { UdpDatagram } from './pcap-reader';
import type { PayloadTypeTable } from './payload-types';
import { decodeG711, type G711Law } from './g711';
import { isRtcp, parseRtp } from './rtp';
import { isAppError } from '../common/errors';
import { PayloadArena } from './payload-arena';

export const SAMPLE_RATE = 8000;
const JUMP_SECONDS = 2;
/** RFC 3550 A.1: sequence jumps beyond these need a second packet to confirm them. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
/** Longest track built when the caller names none (a day). */
export const DEFAULT_MAX_DURATION_MS = 24 * 3600_000;

export interface TrackLimits {
  /** Longest track kept; audio beyond is cut. */
  maxDurationMs?: number;
}

export type ChannelIndex = 0 | 1;

/** Decides a datagram's channel: 0 = left (caller), 1 = right (callee), undefined = not ours. */
export type ChannelResolver = (src: string, dst: string) => ChannelIndex | undefined;

export interface ChannelMap {
  /** `address:port` endpoints, matched against a datagram's source, then its destination. */
  left: string[];
  right: string[];
}

export function resolverFromMap(map: ChannelMap): ChannelResolver {
  const side = new Map<string, ChannelIndex>();
  for (const ep of map.left) side.set(ep, 0);
  for (const ep of map.right) side.set(ep, 1);
  return (src, dst) => side.get(src) ?? side.get(dst);
}

/**
 * Without a map: each rtpengine port receives one party's media, so the first
 * destination seen becomes the left channel and the second the right one.
 * Only a fallback; which party spoke first is a guess.
 */
export function resolverByFirstDestination(): ChannelResolver {
  const side = new Map<string, ChannelIndex>();
  return (_src, dst) => {
    const known = side.get(dst);
    if (known !== undefined || side.size >= 2) return known;
    const ch = side.size as ChannelIndex;
    side.set(dst, ch);
    return ch;
  };
}

const LAWS: readonly G711Law[] = ['alaw', 'ulaw'];

/** One channel's packets as parallel typed arrays, sorted by position. */
interface Placed {
  pos: Float64Array;
  ref: Float64Array;
  len: Uint32Array;
  law: Uint8Array;
}

/** Packets of one segment as parallel arrays (no object per packet). */
interface Segment {
  channel: ChannelIndex;
  /** min(arrival in samples − extended timestamp). */
  offset: number;
  extTs: number[];
  law: number[];
  ref: number[];
  len: number[];
  seen: Set<number>;
  minSeq: number;
  maxSeq: number;
}

/** Where a packet goes: its extended sequence number and timestamp. */
interface Placement {
  seq: number;
  ts: number;
  /** A held packet this one confirmed as the start of a restarted stream. */
  confirmed?: NonNullable<StreamState['probe']>;
}

/** A packet's audio: its G.711 law and payload. */
interface Audio {
  law: G711Law;
  payload: Uint8Array;
}

interface StreamState {
  /** A packet far off in sequence, held until the next one confirms a restart (RFC 3550 A.1). */
  probe?: { seq: number; ts: number; arrival: number; audio: Audio };
  lastSeq: number;
  extSeq: number;
  lastTs: number;
  extTs: number;
  lastArrival: number;
  segment: Segment;
}

export interface ChannelStats {
  packets: number;
  duplicates: number;
  /** Expected minus received, per segment (RFC 3550 A.3). */
  lost: number;
  segments: number;
  ssrcs: number;
}

export interface TrackCut {
  /** Packets dropped: timestamp against arrival time, unconfirmed sequence jump, or outside the capture's span. */
  packets: number;
  /** Audio cut at the configured maximum duration. */
  overMaxMs: number;
}

export interface TrackStats {
  channels: [ChannelStats, ChannelStats];
  cut: TrackCut;
  skippedEvents: number;
  rtcp: number;
  malformed: number;
  unassigned: number;
}

const int16 = (x: number) => ((x + 0x8000) & 0xffff) - 0x8000;
const int32 = (x: number) => x | 0;

export class StereoTrackBuilder {
  private readonly streams = new Map<string, StreamState>();
  private readonly segments: Segment[] = [];
  private readonly ssrcs: [Set<number>, Set<number>] = [new Set(), new Set()];
  private skippedEvents = 0;
  private rtcp = 0;
  private malformed = 0;
  private unassigned = 0;
  private readonly duplicates: [number, number] = [0, 0];
  private readonly arena = new PayloadArena();
  private rejected = 0;
  /** The capture clock's span over every audio datagram, in samples. */
  private firstArrival = Infinity;
  private lastArrival = -Infinity;

  constructor(
    private readonly channelOf: ChannelResolver,
    private readonly payloadTypes: PayloadTypeTable,
    private readonly limits: TrackLimits = {},
  ) {}

  /** Throws `codec-not-supported` on the first packet of a codec we cannot decode. */
  add(d: UdpDatagram): void {
    if (isRtcp(d.payload)) {
      this.rtcp++;
      return;
    }
    let rtp;
    try {
      rtp = parseRtp(d.payload);
    } catch (e) {
      if (!isAppError(e)) throw e;
      this.malformed++; // STUN, keep-alives, garbage: not audio
      return;
    }
    const channel = this.channelOf(d.src, d.dst);
    if (channel === undefined) {
      this.unassigned++;
      return;
    }
    const action = this.payloadTypes.action(rtp.payloadType);
    if (action.kind === 'skip') {
      this.skippedEvents++;
      return;
    }
    const arrival = (d.timeUs * SAMPLE_RATE) / 1e6;
    this.firstArrival = Math.min(this.firstArrival, arrival);
    this.lastArrival = Math.max(this.lastArrival, arrival);
    const key = `${channel}/${rtp.ssrc}`;
    this.ssrcs[channel].add(rtp.ssrc);
    const audio: Audio = { law: action.law, payload: rtp.payload };
    let s = this.streams.get(key);
    let ext: Placement | undefined;
    if (!s) {
      s = { lastSeq: rtp.sequence, extSeq: rtp.sequence, lastTs: rtp.timestamp, extTs: rtp.timestamp, lastArrival: arrival, segment: this.newSegment(channel) };
      this.streams.set(key, s);
      ext = { seq: rtp.sequence, ts: rtp.timestamp };
    } else {
      ext = this.advance(s, rtp.sequence, rtp.timestamp, arrival, audio);
      // The held packet was confirmed by this one (a restart): place it first, on the new segment.
      const probe = ext?.confirmed;
      if (ext && probe) this.put(s, { seq: ext.seq - 1, ts: ext.ts - int32(rtp.timestamp - probe.ts) }, probe.arrival, channel, probe.audio);
    }
    if (ext) this.put(s, ext, arrival, channel, audio);
  }

  private put(s: StreamState, ext: { seq: number; ts: number }, arrival: number, channel: ChannelIndex, audio: Audio): void {
    const seg = s.segment;
    if (seg.seen.has(ext.seq)) {
      this.duplicates[channel]++;
      return;
    }
    seg.seen.add(ext.seq);
    seg.minSeq = Math.min(seg.minSeq, ext.seq);
    seg.maxSeq = Math.max(seg.maxSeq, ext.seq);
    seg.offset = Math.min(seg.offset, arrival - ext.ts);
    // Copied into the arena: the payload is a view into a 256 KiB read chunk.
    seg.extTs.push(ext.ts);
    seg.law.push(audio.law === 'alaw' ? 0 : 1);
    seg.ref.push(this.arena.store(audio.payload));
    seg.len.push(audio.payload.length);
  }

  private newSegment(channel: ChannelIndex): Segment {
    const seg: Segment = { channel, offset: Infinity, extTs: [], law: [], ref: [], len: [], seen: new Set(), minSeq: Infinity, maxSeq: -Infinity };
    this.segments.push(seg);
    return seg;
  }

  /**
   * Extends sequence number and timestamp across wrap (RFC 3550 A.1),
   * tolerating reordering; undefined when the packet is rejected or held.
   */
  private advance(s: StreamState, seq: number, ts: number, arrival: number, audio: Audio): Placement | undefined {
    const dSeq = int16(seq - s.lastSeq);
    const probe = s.probe;
    s.probe = undefined;
    if (dSeq > MAX_DROPOUT || dSeq < -MAX_MISORDER) {
      // RFC 3550 A.1: a restart or a stray packet; only a following packet tells which.
      if (probe && int16(seq - probe.seq) === 1) return { ...this.restart(s, seq, ts, arrival), confirmed: probe };
      if (probe) this.rejected++;
      // Copied: the payload is a view into a read chunk that is reused.
      s.probe = { seq, ts, arrival, audio: { law: audio.law, payload: Uint8Array.from(audio.payload) } };
      return undefined;
    }
    if (probe) this.rejected++; // the held packet was not confirmed
    const extSeq = s.extSeq + dSeq;
    const dTs = int32(ts - s.lastTs);
    const jump = JUMP_SECONDS * SAMPLE_RATE;
    // Against the segment's anchor: how far this packet would sit from its own arrival.
    const drift = (candidate: number) => arrival - candidate - s.segment.offset;
    if (dSeq <= 0) {
      // Late or duplicate: the reference stays; placed only where its arrival allows.
      const extTs = s.extTs + dTs;
      if (Math.abs(drift(extTs)) > jump) {
        this.rejected++;
        return undefined;
      }
      return { seq: extSeq, ts: extTs };
    }
    if (Math.abs(dTs - (arrival - s.lastArrival)) > jump || Math.abs(drift(s.extTs + dTs)) > jump) {
      // The sender's clock jumped: restart the segment on the capture clock.
      s.segment = this.newSegment(s.segment.channel);
      s.extTs = ts;
    } else {
      s.extTs += dTs;
    }
    s.lastTs = ts;
    s.extSeq = extSeq;
    s.lastSeq = seq;
    s.lastArrival = arrival;
    return { seq: extSeq, ts: s.extTs };
  }

  /** A confirmed sequence restart: a new segment whose numbering starts here. */
  private restart(s: StreamState, seq: number, ts: number, arrival: number): { seq: number; ts: number } {
    s.segment = this.newSegment(s.segment.channel);
    s.extSeq += MAX_DROPOUT * 4; // far from the old numbers, so no false duplicates
    s.lastSeq = seq;
    s.lastTs = ts;
    s.extTs = ts;
    s.lastArrival = arrival;
    return { seq: s.extSeq, ts };
  }

  finish(): StereoTrack {
    if (this.streams.size) for (const s of this.streams.values()) if (s.probe) this.rejected++;
    const window = this.firstArrival === Infinity ? undefined : { lo: this.firstArrival - JUMP_SECONDS * SAMPLE_RATE, hi: this.lastArrival + JUMP_SECONDS * SAMPLE_RATE };
    const maxFrames = Math.floor(((this.limits.maxDurationMs ?? DEFAULT_MAX_DURATION_MS) * SAMPLE_RATE) / 1000);
    return new StereoTrack(this.segments, this.arena, this.stats(), { window, maxFrames, rejected: this.rejected });
  }

  private stats(): TrackStats {
    const ch = (c: ChannelIndex): ChannelStats => {
      const segs = this.segments.filter((s) => s.channel === c && s.extTs.length);
      const packets = segs.reduce((n, s) => n + s.extTs.length, 0);
      return {
        packets,
        duplicates: this.duplicates[c],
        lost: segs.reduce((n, s) => n + (s.maxSeq - s.minSeq + 1 - s.extTs.length), 0),
        segments: segs.length,
        ssrcs: this.ssrcs[c].size,
      };
    };
    return {
      channels: [ch(0), ch(1)],
      skippedEvents: this.skippedEvents,
      cut: { packets: this.rejected, overMaxMs: 0 },
      rtcp: this.rtcp,
      malformed: this.malformed,
      unassigned: this.unassigned,
    };
  }
}

/** The placed audio: frame count, start time, and interleaved s16le PCM on demand. */
export class StereoTrack {
  readonly sampleRate = SAMPLE_RATE;
  readonly channels = 2;
  /** Stereo frames (one sample per channel). */
  readonly frames: number;
  /** Capture time of frame 0, µs since the epoch. */
  readonly startUs: number;
  private readonly placed: [Placed, Placed];
  /** Frame ranges [start, end) written as silence (recording paused). */
  private readonly muted: Array<[number, number]> = [];

  constructor(
    segments: Segment[],
    private readonly arena: PayloadArena,
    readonly stats: TrackStats,
    bounds: { window?: { lo: number; hi: number }; maxFrames: number; rejected: number } = { maxFrames: Infinity, rejected: 0 },
  ) {
    const lo = bounds.window?.lo ?? -Infinity;
    const hi = bounds.window?.hi ?? Infinity;
    const inside = (p: number, l: number) => p >= lo && p + l <= hi;
    let origin = Infinity;
    let end = -Infinity;
    for (const seg of segments) {
      const offset = Math.round(seg.offset);
      seg.extTs.forEach((ts, i) => {
        const l = seg.len[i] ?? 0;
        if (!inside(offset + ts, l)) return;
        origin = Math.min(origin, offset + ts);
        end = Math.max(end, offset + ts + l);
      });
    }
    if (origin === Infinity) origin = end = 0;
    const overMax = Math.max(0, end - origin - bounds.maxFrames);
    end -= overMax;
    const cut = { packets: bounds.rejected, overMaxMs: Math.round((overMax * 1000) / SAMPLE_RATE) };
    this.placed = [place(segments, 0, origin, end, cut), place(segments, 1, origin, end, cut)];
    this.frames = end - origin;
    this.startUs = (origin * 1e6) / SAMPLE_RATE;
    this.stats = { ...stats, cut };
  }

  get durationMs(): number {
    return (this.frames * 1000) / SAMPLE_RATE;
  }

  /**
   * Silences both channels from `startMs` to `endMs` after frame 0 (clamped
   * to the track): a paused span keeps its length, so times in the recording
   * still match the call, but carries no audio.
   */
  mute(startMs: number, endMs: number): void {
    const a = Math.max(0, Math.min(this.frames, Math.floor((startMs * SAMPLE_RATE) / 1000)));
    const b = Math.max(0, Math.min(this.frames, Math.ceil((endMs * SAMPLE_RATE) / 1000)));
    if (b > a) this.muted.push([a, b]);
  }

  /** Interleaved 16-bit little-endian stereo PCM, `framesPerChunk` frames at a time. */
  *pcmChunks(framesPerChunk = SAMPLE_RATE): Generator<Buffer> {
    const next: [number, number] = [0, 0];
    for (let c0 = 0; c0 < this.frames; c0 += framesPerChunk) {
      const n = Math.min(framesPerChunk, this.frames - c0);
      const pcm = new Int16Array(2 * n);
      for (const ch of [0, 1] as const) next[ch] = this.fill(ch, pcm, c0, n, next[ch]);
      for (const [a, b] of this.muted) if (a < c0 + n && b > c0) pcm.fill(0, 2 * (Math.max(a, c0) - c0), 2 * (Math.min(b, c0 + n) - c0));
      const buf = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      if (BIG_ENDIAN) buf.swap16(); // WAV and ffmpeg's s16le want little-endian samples
      yield buf;
    }
  }

  /** Writes channel `ch`'s packets that overlap frames [c0, c0+n); returns the first packet still needed later. */
  private fill(ch: ChannelIndex, pcm: Int16Array, c0: number, n: number, from: number): number {
    const { pos, ref, len, law } = this.placed[ch];
    let i = from;
    for (let j = from; j < pos.length; j++) {
      const p = pos[j] ?? 0;
      const l = len[j] ?? 0;
      if (p >= c0 + n) break;
      const skip = Math.max(0, c0 - p);
      const take = Math.min(l, c0 + n - p);
      if (take > skip) {
        const payload = this.arena.view(ref[j] ?? 0, l);
        decodeG711(LAWS[law[j] ?? 0] ?? 'alaw', payload.subarray(skip, take), pcm, 2 * (p + skip - c0) + ch, 2);
      }
      if (p + l <= c0 + n && j === i) i++;
    }
    return i;
  }
}

/**
 * One channel's packets from every segment, positioned from `origin` and
 * sorted; packets outside [origin, end) are dropped and counted in `cut`.
 */
function place(segments: Segment[], ch: ChannelIndex, origin: number, end: number, cut: TrackCut): Placed {
  const mine = segments.filter((s) => s.channel === ch);
  const total = mine.reduce((k, s) => k + s.extTs.length, 0);
  const raw = { pos: new Float64Array(total), ref: new Float64Array(total), len: new Uint32Array(total), law: new Uint8Array(total) };
  let k = 0;
  for (const seg of mine) {
    const offset = Math.round(seg.offset) - origin;
    for (let i = 0; i < seg.extTs.length; i++) {
      const pos = offset + (seg.extTs[i] ?? 0);
      if (pos < 0 || pos >= end - origin) {
        cut.packets++;
        continue;
      }
      raw.pos[k] = pos;
      raw.ref[k] = seg.ref[i] ?? 0;
      raw.len[k] = seg.len[i] ?? 0;
      raw.law[k] = seg.law[i] ?? 0;
      k++;
    }
  }
  const n = k;
  // Stable sort by position: of two packets at the same place, the later segment wins.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (raw.pos[a] ?? 0) - (raw.pos[b] ?? 0) || a - b);
  return {
    pos: Float64Array.from(order, (i) => raw.pos[i] ?? 0),
    ref: Float64Array.from(order, (i) => raw.ref[i] ?? 0),
    len: Uint32Array.from(order, (i) => raw.len[i] ?? 0),
    law: Uint8Array.from(order, (i) => raw.law[i] ?? 0),
  };
}

const BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

/** The RIFF/WAVE header of 16-bit PCM (the canonical 44-byte form). */
export function wavHeader(dataBytes: number, sampleRate = SAMPLE_RATE, channels = 2): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
