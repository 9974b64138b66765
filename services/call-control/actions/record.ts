// Records the caller for the PBX (a voicemail message, a greeting by phone).
// rtpengine relays the caller's stream to a UDP socket of this process: the
// PBX's own side of the session (answer.ts's discard port) is re-answered
// with this socket's address, offering only G.711 and telephone-event, so
// rtpengine transcodes whatever the phone speaks. The audio stays in memory
// — rtpengine's own pcap recording would put plain audio on disk, which a
// voicemail must never do — and packets are placed by RTP timestamp, so a
// lost packet is silence and the length is the real one.
import { createSocket, type Socket } from 'node:dgram';
import type { Call } from '../call/call';
import type { RecordOptions, RecordOutcome, RecordedAudio } from './actions';
import { PBX_TAG, type ActionDeps } from './answer';
import { DigitBuffer } from './digit-buffer';

const PT_LAW: Record<number, 'alaw' | 'ulaw'> = { 8: 'alaw', 0: 'ulaw' };
/** G.711 silence: A-law 0xD5, µ-law 0xFF. */
const SILENCE = { alaw: 0xd5, ulaw: 0xff } as const;
const SECOND = 8000;

/** The PBX's receiving side: G.711 both laws and RFC 4733 digits, on our socket. */
export function recorderSdp(port: number): string {
  return ['v=0', 'o=- 2 2 IN IP4 127.0.0.1', 's=korobka', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 8 0 101`, 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
}

/** Audio placed by RTP timestamp into one-second chunks allocated as it arrives. */
export class AudioTrack {
  law: 'alaw' | 'ulaw' | undefined;
  private ts0: number | undefined;
  private readonly chunks: Buffer[] = [];
  private end = 0;

  constructor(private readonly maxSamples: number) {}

  /** False once the track is full (the length limit). */
  add(packet: Buffer): boolean {
    if (packet.length < 12 || packet[0]! >> 6 !== 2) return true;
    const pt = packet[1]! & 0x7f;
    const law = PT_LAW[pt];
    if (!law) return true; // telephone-event, comfort noise
    if (this.law && law !== this.law) return true;
    this.law ??= law;
    const cc = packet[0]! & 0x0f;
    let off = 12 + cc * 4;
    if (packet[0]! & 0x10) {
      if (packet.length < off + 4) return true;
      off += 4 + packet.readUInt16BE(off + 2) * 4;
    }
    let end = packet.length;
    if (packet[0]! & 0x20) end -= packet[end - 1] ?? 0;
    if (end <= off) return true;
    const ts = packet.readUInt32BE(4);
    this.ts0 ??= ts;
    const at = (ts - this.ts0) >>> 0;
    // A timestamp far behind (reordered across the start) or absurdly ahead is dropped.
    if (at > this.maxSamples + SECOND * 10) return true;
    const payload = packet.subarray(off, Math.min(end, off + Math.max(0, this.maxSamples - at)));
    for (let i = 0; i < payload.length; ) {
      const pos = at + i;
      const c = Math.floor(pos / SECOND);
      while (this.chunks.length <= c) this.chunks.push(Buffer.alloc(SECOND, SILENCE[this.law]));
      const n = Math.min(payload.length - i, SECOND - (pos % SECOND));
      payload.copy(this.chunks[c]!, pos % SECOND, i, i + n);
      i += n;
    }
    this.end = Math.max(this.end, at + payload.length);
    return this.end < this.maxSamples;
  }

  get samples(): number {
    return this.end;
  }

  audio(): RecordedAudio {
    const payload = Buffer.concat(this.chunks).subarray(0, this.end);
    for (const c of this.chunks) if (c.buffer !== payload.buffer) c.fill(0);
    return { law: this.law ?? 'alaw', payload };
  }
}

export async function record(deps: ActionDeps, call: Call, opts: RecordOptions): Promise<RecordOutcome> {
  const legs = call.media;
  if (!legs) throw new Error('record before the media session was opened');
  if (call.a.state !== 'answered') throw new Error('record before the PBX answered the caller');
  const track = new AudioTrack(Math.floor((opts.maxMs * SECOND) / 1000));
  if (call.ended) return { kind: 'recorded', audio: track.audio(), endedBy: 'hangup' };
  const socket = await bind();
  const offs: Array<() => void> = [];
  let opened = false;
  try {
    return await new Promise<RecordOutcome>((resolve, reject) => {
      let done = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (endedBy: RecordOutcome['endedBy']) => {
        if (done) return;
        done = true;
        clearTimeout(limit);
        clearTimeout(idle);
        resolve({ kind: 'recorded', audio: track.audio(), endedBy });
      };
      const armIdle = () => {
        if (opts.noMediaMs === undefined) return;
        clearTimeout(idle);
        idle = setTimeout(() => finish('no-media'), opts.noMediaMs);
      };
      // The wall-clock limit backs up the sample count (a phone sending slowly), with a little slack for jitter.
      const limit = setTimeout(() => finish('max-length'), opts.maxMs + 1000);
      socket.on('message', (packet) => {
        if (done) return;
        armIdle();
        if (!track.add(packet)) finish('max-length');
      });
      offs.push(call.on('ended', () => finish('hangup')));
      if (opts.terminator !== undefined) {
        const t = opts.terminator;
        offs.push(DigitBuffer.of(call).onDigit((d) => d === t && finish('terminator')));
      }
      armIdle();
      legs
        .answerFromB(recorderSdp(socket.address().port), PBX_TAG)
        .then(() => {
          opened = true;
          return deps.media.unblockMedia(legs.mediaId, legs.tagA);
        })
        .catch((err: unknown) => {
          if (done) return;
          done = true;
          clearTimeout(limit);
          clearTimeout(idle);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  } finally {
    for (const off of offs) off();
    socket.close();
    if (opened && !call.ended) {
      // Back to the PBX's silent side: nothing more reaches a socket that is gone.
      await deps.media.blockMedia(legs.mediaId, legs.tagA).catch((err: unknown) => call.log.warn('block media after recording failed', { err: err instanceof Error ? err.message : String(err) }));
    }
  }
}

function bind(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}
