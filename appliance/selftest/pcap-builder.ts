// Builds classic pcap bytes by hand for tests and the benchmark: global
// header, records, and the IPv4/IPv6/UDP/Ethernet/SLL framing around payloads.

export interface BuildPacket {
  timeUs: number;
  src: string; // "1.2.3.4:5" or "[::1]:5"
  dst: string;
  payload: Buffer;
}

export interface BuildOptions {
  littleEndian?: boolean;
  nano?: boolean;
  linkType?: 1 | 101 | 113;
}

function splitEndpoint(ep: string): { addr: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(ep) ?? /^([^:]+):(\d+)$/.exec(ep);
  if (!m) throw new Error(`bad endpoint ${ep}`);
  return { addr: m[1] ?? '', port: Number(m[2]) };
}

function v6bytes(addr: string): Buffer {
  const [head = '', tail = ''] = addr.includes('::') ? addr.split('::') : [addr, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), 2 * i));
  return b;
}

export function udpDatagram(src: string, dst: string, payload: Buffer): Buffer {
  const s = splitEndpoint(src);
  const d = splitEndpoint(dst);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(s.port, 0);
  udp.writeUInt16BE(d.port, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  if (s.addr.includes(':')) {
    const ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(8 + payload.length, 4);
    ip[6] = 17;
    ip[7] = 64;
    v6bytes(s.addr).copy(ip, 8);
    v6bytes(d.addr).copy(ip, 24);
    return Buffer.concat([ip, udp, payload]);
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from(s.addr.split('.').map(Number)).copy(ip, 12);
  Buffer.from(d.addr.split('.').map(Number)).copy(ip, 16);
  return Buffer.concat([ip, udp, payload]);
}

export function linkFrame(linkType: number, ipPacket: Buffer): Buffer {
  const v6 = (ipPacket[0] ?? 0) >> 4 === 6;
  if (linkType === 101) return ipPacket;
  if (linkType === 1) {
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
    return Buffer.concat([eth, ipPacket]);
  }
  const sll = Buffer.alloc(16);
  sll.writeUInt16BE(v6 ? 0x86dd : 0x0800, 14);
  return Buffer.concat([sll, ipPacket]);
}

export function pcapGlobalHeader(opts: BuildOptions = {}): Buffer {
  const le = opts.littleEndian ?? true;
  const h = Buffer.alloc(24);
  const w32 = (v: number, o: number) => (le ? h.writeUInt32LE(v, o) : h.writeUInt32BE(v, o));
  const w16 = (v: number, o: number) => (le ? h.writeUInt16LE(v, o) : h.writeUInt16BE(v, o));
  w32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(2, 4);
  w16(4, 6);
  w32(65535, 16);
  w32(opts.linkType ?? 101, 20);
  return h;
}

export function pcapRecord(timeUs: number, frame: Buffer, opts: BuildOptions = {}, origLen = frame.length): Buffer {
  const le = opts.littleEndian ?? true;
  const h = Buffer.alloc(16);
  const w32 = (v: number, o: number) => (le ? h.writeUInt32LE(v, o) : h.writeUInt32BE(v, o));
  const sec = Math.floor(timeUs / 1e6);
  const us = Math.round(timeUs - sec * 1e6);
  w32(sec, 0);
  w32(opts.nano ? us * 1000 : us, 4);
  w32(frame.length, 8);
  w32(origLen, 12);
  return Buffer.concat([h, frame]);
}

export function buildPcap(packets: BuildPacket[], opts: BuildOptions = {}): Buffer {
  const parts = [pcapGlobalHeader(opts)];
  for (const p of packets) {
    parts.push(pcapRecord(p.timeUs, linkFrame(opts.linkType ?? 101, udpDatagram(p.src, p.dst, p.payload)), opts));
  }
  return Buffer.concat(parts);
}

export interface RtpBuild {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
  marker?: boolean;
  csrc?: number[];
  extensionWords?: number;
  padding?: number;
}

export function rtpPacket(p: RtpBuild): Buffer {
  const csrc = p.csrc ?? [];
  const ext = p.extensionWords === undefined ? Buffer.alloc(0) : Buffer.alloc(4 + 4 * p.extensionWords, 0xee);
  if (ext.length) {
    ext.writeUInt16BE(0xbede, 0);
    ext.writeUInt16BE(p.extensionWords ?? 0, 2);
  }
  const h = Buffer.alloc(12 + 4 * csrc.length);
  h[0] = 0x80 | (p.padding ? 0x20 : 0) | (ext.length ? 0x10 : 0) | csrc.length;
  h[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  h.writeUInt16BE(p.sequence & 0xffff, 2);
  h.writeUInt32BE(p.timestamp >>> 0, 4);
  h.writeUInt32BE(p.ssrc >>> 0, 8);
  csrc.forEach((c, i) => h.writeUInt32BE(c, 12 + 4 * i));
  const pad = p.padding ? Buffer.alloc(p.padding) : Buffer.alloc(0);
  if (p.padding) pad[p.padding - 1] = p.padding;
  return Buffer.concat([h, ext, p.payload, pad]);
}

/** 16-bit samples of a sine tone. */
export function tone(freq: number, samples: number, startSample = 0, amplitude = 8000, rate = 8000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (startSample + i)) / rate));
  return out;
}

/** Goertzel power of `freq` in `samples`, normalised by length. */
export function goertzel(samples: ArrayLike<number>, freq: number, rate = 8000): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = (samples[i] ?? 0) + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (samples.length * samples.length);
}
