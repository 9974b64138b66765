// Streaming reader of classic libpcap files (not pcapng), as rtpengine's
// `--recording-method=pcap` writes them: link type 101 (raw IP), one file per
// call. Ethernet (1) and Linux cooked (113) captures are read too, so a
// tcpdump or tshark capture of the same call can be converted the same way.
// Format: https://www.tcpdump.org/manpages/pcap-savefile.5.html and
// draft-ietf-opsawg-pcap; link types: https://www.tcpdump.org/linktypes.html
import { createReadStream } from 'node:fs';
import { pcapLinkTypeUnsupported, pcapNotPcap, pcapRecordTooLarge, pcapTruncated } from './errors';

export interface UdpDatagram {
  /** Capture time in microseconds since the Unix epoch. */
  timeUs: number;
  /** `a.b.c.d:port` or `[v6]:port`. */
  src: string;
  dst: string;
  /** A view into the read buffer: copy it if it must outlive the reader's chunk. */
  payload: Buffer;
}

export interface PcapStats {
  records: number;
  udp: number;
  /** Records that are not IPv4/IPv6 UDP (ARP, TCP, ICMP, …). */
  notUdp: number;
  /** IP fragments: a fragmented datagram is not RTP we can place. */
  fragments: number;
  /** Records cut short by the snap length. */
  clipped: number;
  /** Bytes of a partial last record, when a truncated tail was allowed. */
  truncatedTailBytes: number;
}

export const LINKTYPE = { ethernet: 1, raw: 101, linuxSll: 113 } as const;

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** libpcap's MAXIMUM_SNAPLEN: no sane record is larger. */
const MAX_RECORD = 262_144;
const PCAPNG_MAGIC = 0x0a0d0d0a;

interface Format {
  le: boolean;
  nano: boolean;
  linkType: number;
}

function parseGlobalHeader(h: Buffer): Format {
  const magicLe = h.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    le = true;
    nano = magicLe === 0xa1b23c4d;
  } else {
    const magicBe = h.readUInt32BE(0);
    if (magicBe === 0xa1b2c3d4 || magicBe === 0xa1b23c4d) {
      le = false;
      nano = magicBe === 0xa1b23c4d;
    } else if (magicBe === PCAPNG_MAGIC) {
      throw pcapNotPcap('this is pcapng; convert it with `editcap -F pcap`');
    } else {
      throw pcapNotPcap(`unknown magic number 0x${magicBe.toString(16).padStart(8, '0')}`);
    }
  }
  const major = le ? h.readUInt16LE(4) : h.readUInt16BE(4);
  if (major !== 2) throw pcapNotPcap(`unsupported version ${major}`);
  // The FCS bits live in the top of the link-type field (pcap-savefile(5)).
  const linkType = (le ? h.readUInt32LE(20) : h.readUInt32BE(20)) & 0x0fffffff;
  if (linkType !== LINKTYPE.ethernet && linkType !== LINKTYPE.raw && linkType !== LINKTYPE.linuxSll) {
    throw pcapLinkTypeUnsupported(linkType);
  }
  return { le, nano, linkType };
}

function ipv4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952 text form: lower case, longest run of zero groups as `::`. */
function ipv6(b: Buffer, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(o + 2 * i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

type Decoded = { kind: 'udp'; d: Omit<UdpDatagram, 'timeUs'> } | { kind: 'notUdp' | 'fragment' | 'clipped' };

const IPV6_EXTENSIONS = new Set([0, 43, 60]); // hop-by-hop, routing, destination options (RFC 8200 §4)

function udp(b: Buffer, o: number, end: number, src: string, dst: string, v6: boolean): Decoded {
  if (end - o < 8) return { kind: 'clipped' };
  const len = b.readUInt16BE(o + 4);
  if (len < 8) return { kind: 'notUdp' };
  if (o + len > end) return { kind: 'clipped' };
  const sp = b.readUInt16BE(o);
  const dp = b.readUInt16BE(o + 2);
  const fmt = (a: string, p: number) => (v6 ? `[${a}]:${p}` : `${a}:${p}`);
  return { kind: 'udp', d: { src: fmt(src, sp), dst: fmt(dst, dp), payload: b.subarray(o + 8, o + len) } };
}

function ip(b: Buffer, o: number, end: number): Decoded {
  if (end - o < 1) return { kind: 'clipped' };
  const version = (b[o] ?? 0) >> 4;
  if (version === 4) {
    if (end - o < 20) return { kind: 'clipped' };
    const ihl = ((b[o] ?? 0) & 0x0f) * 4;
    const total = b.readUInt16BE(o + 2);
    if (ihl < 20 || total < ihl) return { kind: 'notUdp' }; // RFC 791: IHL ≥ 5 words
    const frag = b.readUInt16BE(o + 6);
    if ((frag & 0x3fff) !== 0) return { kind: 'fragment' }; // MF flag or a fragment offset
    if (b[o + 9] !== 17) return { kind: 'notUdp' };
    // Ethernet pads short frames: the IP total length says where the datagram ends.
    const ipEnd = Math.min(end, o + total);
    if (o + total > end) return { kind: 'clipped' };
    return udp(b, o + ihl, ipEnd, ipv4(b, o + 12), ipv4(b, o + 16), false);
  }
  if (version === 6) {
    if (end - o < 40) return { kind: 'clipped' };
    const ipEnd = o + 40 + b.readUInt16BE(o + 4);
    if (ipEnd > end) return { kind: 'clipped' };
    let next = b[o + 6] ?? 0;
    let p = o + 40;
    while (IPV6_EXTENSIONS.has(next)) {
      if (ipEnd - p < 8) return { kind: 'clipped' };
      next = b[p] ?? 0;
      p += ((b[p + 1] ?? 0) + 1) * 8;
    }
    if (next === 44) return { kind: 'fragment' };
    if (next !== 17) return { kind: 'notUdp' };
    return udp(b, p, ipEnd, ipv6(b, o + 8), ipv6(b, o + 24), true);
  }
  return { kind: 'notUdp' };
}

function decodeLink(linkType: number, b: Buffer, o: number, end: number): Decoded {
  if (linkType === LINKTYPE.raw) return ip(b, o, end);
  let type: number;
  let p: number;
  if (linkType === LINKTYPE.ethernet) {
    if (end - o < 14) return { kind: 'clipped' };
    type = b.readUInt16BE(o + 12);
    p = o + 14;
    while (type === 0x8100 || type === 0x88a8) {
      // IEEE 802.1Q / 802.1ad tags: 4 bytes each before the real EtherType.
      if (end - p < 4) return { kind: 'clipped' };
      type = b.readUInt16BE(p + 2);
      p += 4;
    }
  } else {
    if (end - o < 16) return { kind: 'clipped' };
    type = b.readUInt16BE(o + 14); // LINKTYPE_LINUX_SLL: protocol type at offset 14
    p = o + 16;
  }
  if (type !== 0x0800 && type !== 0x86dd) return { kind: 'notUdp' };
  return ip(b, p, end);
}

/**
 * Incremental parser: feed it chunks, it returns the UDP datagrams completed
 * so far. `end()` checks that nothing was left half-written.
 */
export class PcapParser {
  readonly stats: PcapStats = { records: 0, udp: 0, notUdp: 0, fragments: 0, clipped: 0, truncatedTailBytes: 0 };
  private format: Format | undefined;
  private pending: Buffer = Buffer.alloc(0);
  /** File offset of `pending[0]`, for error messages. */
  private offset = 0;

  constructor(private readonly opts: { allowTruncatedTail?: boolean } = {}) {}

  get linkType(): number | undefined {
    return this.format?.linkType;
  }

  push(chunk: Buffer): UdpDatagram[] {
    const b = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let o = 0;
    if (!this.format) {
      if (b.length < GLOBAL_HEADER) {
        this.pending = b;
        return [];
      }
      this.format = parseGlobalHeader(b);
      o = GLOBAL_HEADER;
    }
    const { le, nano, linkType } = this.format;
    const out: UdpDatagram[] = [];
    while (b.length - o >= RECORD_HEADER) {
      const incl = le ? b.readUInt32LE(o + 8) : b.readUInt32BE(o + 8);
      if (incl > MAX_RECORD) throw pcapRecordTooLarge(this.offset + o, incl);
      if (b.length - o - RECORD_HEADER < incl) break;
      const sec = le ? b.readUInt32LE(o) : b.readUInt32BE(o);
      const frac = le ? b.readUInt32LE(o + 4) : b.readUInt32BE(o + 4);
      const orig = le ? b.readUInt32LE(o + 12) : b.readUInt32BE(o + 12);
      const start = o + RECORD_HEADER;
      this.stats.records++;
      const r = incl < orig ? ({ kind: 'clipped' } as const) : decodeLink(linkType, b, start, start + incl);
      if (r.kind === 'udp') {
        this.stats.udp++;
        out.push({ timeUs: sec * 1e6 + (nano ? frac / 1000 : frac), ...r.d });
      } else if (r.kind === 'notUdp') this.stats.notUdp++;
      else if (r.kind === 'fragment') this.stats.fragments++;
      else this.stats.clipped++;
      o = start + incl;
    }
    this.offset += o;
    this.pending = b.subarray(o);
    return out;
  }

  end(): void {
    if (!this.format) {
      throw this.offset + this.pending.length === 0
        ? pcapNotPcap('the file is empty')
        : pcapNotPcap(`${this.pending.length} bytes are shorter than a pcap header`);
    }
    if (this.pending.length === 0) return;
    if (this.opts.allowTruncatedTail) {
      this.stats.truncatedTailBytes = this.pending.length;
      return;
    }
    throw pcapTruncated(this.offset, `${this.pending.length} bytes of an incomplete record`);
  }
}

/** Every UDP datagram of a pcap file, in file order, read in 256 KiB chunks. */
export async function* readPcapFile(
  path: string,
  parser: PcapParser = new PcapParser(),
): AsyncGenerator<UdpDatagram, PcapStats> {
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    yield* parser.push(chunk as Buffer);
  }
  parser.end();
  return parser.stats;
}

/** Whole-buffer convenience for tests and small captures. */
export function parsePcap(buf: Buffer, opts: { allowTruncatedTail?: boolean } = {}): {
  datagrams: UdpDatagram[];
  stats: PcapStats;
  linkType: number | undefined;
} {
  const p = new PcapParser(opts);
  const datagrams = p.push(buf);
  p.end();
  return { datagrams, stats: p.stats, linkType: p.linkType };
}
