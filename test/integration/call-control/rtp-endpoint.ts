// A test RTP endpoint on 127.0.0.1: sends paced 20 ms packets (G.711 tone
// encoded here per ITU-T G.711, or any payload) and records what arrives.
import dgram from 'node:dgram';

export interface Received {
  pt: number;
  seq: number;
  payload: Buffer;
  from: string;
}

/** ITU-T G.711 A-law of one 16-bit sample (segment + 4-bit mantissa, even bits inverted). */
export function alaw(sample: number): number {
  let sign = 0x80;
  let x = sample;
  if (x < 0) {
    sign = 0;
    x = -x - 1;
  }
  const m = Math.min(x >> 3, 4095);
  const seg = m < 32 ? 0 : Math.floor(Math.log2(m)) - 4;
  const mantissa = (m >> Math.max(seg, 1)) & 0x0f;
  return ((sign | (seg << 4) | mantissa) ^ 0x55) & 0xff;
}

/** ITU-T G.711 µ-law of one 16-bit sample (bias 132, inverted). */
export function ulaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let x = Math.min(Math.abs(sample), 32635) + 0x84;
  const exponent = Math.floor(Math.log2(x)) - 7;
  const mantissa = (x >> (exponent + 3)) & 0x0f;
  x = ~(sign | (exponent << 4) | mantissa);
  return x & 0xff;
}

/** 20 ms of a sine tone at 8 kHz, packet `index` of a continuous signal. */
export function tone(index: number, hz: number, law: 'pcma' | 'pcmu'): Buffer {
  const out = Buffer.alloc(160);
  for (let i = 0; i < 160; i++) {
    const t = (index * 160 + i) / 8000;
    const s = Math.round(8000 * Math.sin(2 * Math.PI * hz * t));
    out[i] = law === 'pcma' ? alaw(s) : ulaw(s);
  }
  return out;
}

export class RtpEndpoint {
  readonly received: Received[] = [];
  private seq = Math.floor(Math.random() * 30000);
  private ts = Math.floor(Math.random() * 1e9);
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);
  private timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly sock: dgram.Socket,
    readonly port: number,
  ) {
    sock.on('message', (msg, rinfo) => {
      if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
      const pt = msg[1]! & 0x7f;
      if (pt >= 72 && pt <= 79) return; // RTCP on the RTP port (RFC 5761 range); not counted
      this.received.push({ pt, seq: msg.readUInt16BE(2), payload: msg.subarray(12), from: `${rinfo.address}:${rinfo.port}` });
    });
  }

  static async open(): Promise<RtpEndpoint> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    return new RtpEndpoint(sock, sock.address().port);
  }

  /** An SDP offer/answer for this endpoint: `codecs` as [pt, rtpmap name]. */
  sdp(codecs: Array<[number, string]>, opts: { address?: string; direction?: string } = {}): string {
    const addr = opts.address ?? '127.0.0.1';
    const lines = ['v=0', `o=- ${this.port} 1 IN IP4 ${addr}`, 's=korobka-test', `c=IN IP4 ${addr}`, 't=0 0', `m=audio ${this.port} RTP/AVP ${codecs.map(([pt]) => pt).join(' ')}`];
    for (const [pt, name] of codecs) {
      lines.push(`a=rtpmap:${pt} ${name}/8000`);
      if (name === 'telephone-event') lines.push(`a=fmtp:${pt} 0-16`);
      if (name === 'G729') lines.push(`a=fmtp:${pt} annexb=no`);
    }
    lines.push('a=ptime:20', `a=${opts.direction ?? 'sendrecv'}`);
    return lines.join('\r\n') + '\r\n';
  }

  /** Sends `count` packets 20 ms apart to `target`; resolves after the last one. */
  send(target: { host: string; port: number }, count: number, pt: number, payload: (i: number) => Buffer): Promise<Buffer[]> {
    const sent: Buffer[] = [];
    return new Promise((resolve) => {
      let i = 0;
      const timer = setInterval(() => {
        const body = payload(i);
        const head = Buffer.alloc(12);
        head[0] = 0x80;
        head[1] = (i === 0 ? 0x80 : 0) | pt;
        head.writeUInt16BE(this.seq++ & 0xffff, 2);
        head.writeUInt32BE(this.ts >>> 0, 4);
        head.writeUInt32BE(this.ssrc >>> 0, 8);
        this.ts += 160;
        this.sock.send(Buffer.concat([head, body]), target.port, target.host);
        sent.push(body);
        if (++i >= count) {
          clearInterval(timer);
          this.timers.delete(timer);
          resolve(sent);
        }
      }, 20);
      this.timers.add(timer);
    });
  }

  /**
   * One RFC 4733 telephone-event (§2.3): 20 ms packets sharing the event's
   * timestamp, duration growing, marker on the first, the end bit on the
   * last three (§2.5.1.4 retransmits the final packet).
   */
  sendEvent(target: { host: string; port: number }, event: number, pt = 101, packets = 8): Promise<void> {
    const ts = this.ts;
    return new Promise((resolve) => {
      let i = 0;
      const timer = setInterval(() => {
        const end = i >= packets - 3;
        const head = Buffer.alloc(16);
        head[0] = 0x80;
        head[1] = (i === 0 ? 0x80 : 0) | pt;
        head.writeUInt16BE(this.seq++ & 0xffff, 2);
        head.writeUInt32BE(ts >>> 0, 4);
        head.writeUInt32BE(this.ssrc >>> 0, 8);
        head[12] = event;
        head[13] = (end ? 0x80 : 0) | 10; // E bit, volume -10 dBm0
        head.writeUInt16BE(Math.min(i + 1, packets - 2) * 160, 14);
        this.sock.send(head, target.port, target.host);
        if (++i >= packets) {
          clearInterval(timer);
          this.timers.delete(timer);
          this.ts += (packets - 2) * 160;
          resolve();
        }
      }, 20);
      this.timers.add(timer);
    });
  }

  count(pt?: number): number {
    return pt === undefined ? this.received.length : this.received.filter((r) => r.pt === pt).length;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.sock.close();
  }
}

/** Polls `check` until it holds or the deadline passes; returns whether it held. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/** The media address rtpengine put in an SDP it produced. */
export function mediaTarget(sdp: string): { host: string; port: number } {
  const c = /^c=IN IP4 (\S+)/m.exec(sdp);
  const m = /^m=audio (\d+) /m.exec(sdp);
  if (!c?.[1] || !m?.[1]) throw new Error('no audio target in SDP:\n' + sdp);
  return { host: c[1], port: Number(m[1]) };
}

export function payloadTypes(sdp: string): number[] {
  const m = /^m=audio \d+ \S+ ([\d ]+)/m.exec(sdp);
  return m?.[1] ? m[1].trim().split(/\s+/).map(Number) : [];
}

/** 8 kHz 16-bit mono PCM WAV of a tone (RIFF/WAVE, fmt chunk per the Microsoft spec). */
export function wavTone(seconds: number, hz: number): Buffer {
  const samples = Math.round(seconds * 8000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)), i * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVE', 8);
  head.write('fmt ', 12);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(16000, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}
