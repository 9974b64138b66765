// What the callers received, from a capture of the loopback (dumpcap -P:
// classic pcap, kernel timestamps, so the figures do not include the
// scheduling delays of whoever reads the sockets): per destination port the
// arrival time and RTP sequence number of each audio packet, then per
// stream the largest gap between consecutive packets inside a window when
// every caller was in the menu, and the share of the 20 ms packets that
// arrived in it.

export interface Stream {
  /** Arrival times, ms (kernel timestamps). */
  at: number[];
  seq: number[];
}

const ETHERTYPE_IPV4 = 0x0800;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;

/** Audio packets (RTP version 2, payload types below 96: G.711 and friends, not RFC 4733 events) by UDP destination port. */
export function rtpStreams(pcap: Buffer): Map<number, Stream> {
  if (pcap.length < 24) throw new Error('pcap: shorter than its header');
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = pcap.readUInt32BE(0) === 0xa1b2c3d4 || pcap.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) throw new Error(`pcap: unknown magic 0x${magic.toString(16)} (pcapng? capture with dumpcap -P)`);
  const u32 = (o: number) => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const nano = (le ? pcap.readUInt32LE(0) : pcap.readUInt32BE(0)) === 0xa1b23c4d;
  const link = u32(20);
  const linkHeader = link === LINKTYPE_ETHERNET ? 14 : link === LINKTYPE_LINUX_SLL ? 16 : -1;
  if (linkHeader < 0) throw new Error(`pcap: link type ${link} not handled`);
  const out = new Map<number, Stream>();
  let o = 24;
  while (o + 16 <= pcap.length) {
    const ms = u32(o) * 1000 + u32(o + 4) / (nano ? 1e6 : 1e3);
    const incl = u32(o + 8);
    const p = o + 16;
    o = p + incl;
    if (o > pcap.length) break; // a record cut by the capture's end
    if (pcap.readUInt16BE(p + linkHeader - 2) !== ETHERTYPE_IPV4) continue;
    const ip = p + linkHeader;
    if (pcap[ip + 9] !== 17) continue; // UDP only
    const udp = ip + (pcap[ip]! & 0x0f) * 4;
    const rtp = udp + 8;
    if (rtp + 12 > p + incl) continue;
    if (pcap[rtp]! >> 6 !== 2) continue;
    // RTCP (RFC 5761 §4: packet types 192–223 in the second byte) and dynamic payload types (telephone-event) are not the prompt.
    const second = pcap[rtp + 1]!;
    if ((second >= 192 && second <= 223) || (second & 0x7f) >= 96) continue;
    const port = pcap.readUInt16BE(udp + 2);
    const s = out.get(port) ?? { at: [], seq: [] };
    s.at.push(ms);
    s.seq.push(pcap.readUInt16BE(rtp + 2));
    out.set(port, s);
  }
  return out;
}

export interface GapFigures {
  /** Largest gap between consecutive packets (and from the window's start to the first, the last to its end), ms. */
  maxGapMs: number;
  /** Packets in the window against a 20 ms stream's. */
  share: number;
  /** Sequence numbers missing inside the window (RFC 3550 §A.1 wrap-around taken into account). */
  lost: number;
}

export function gapFigures(s: Stream, from: number, to: number): GapFigures {
  let last = from;
  let maxGap = 0;
  let n = 0;
  let lost = 0;
  let prevSeq: number | undefined;
  for (let i = 0; i < s.at.length; i++) {
    const t = s.at[i]!;
    if (t < from || t > to) continue;
    maxGap = Math.max(maxGap, t - last);
    last = t;
    n++;
    const seq = s.seq[i]!;
    if (prevSeq !== undefined) {
      const d = (seq - prevSeq + 0x10000) % 0x10000;
      if (d > 1 && d < 0x8000) lost += d - 1;
    }
    prevSeq = seq;
  }
  maxGap = Math.max(maxGap, to - last);
  return { maxGapMs: Math.round(maxGap * 10) / 10, share: Math.round((n / ((to - from) / 20)) * 1000) / 1000, lost };
}

export interface RunFigures {
  streams: number;
  /** [from, to] in ms of the capture clock, and its length. */
  windowMs: number;
  /** Streams whose every gap stayed at or under the limit and that got at least 95 % of their packets. */
  flowing: number;
  gapOverLimit: number;
  maxGapMs: number;
  p99MaxGapMs: number;
  medianMaxGapMs: number;
  minShare: number;
  lost: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/**
 * Every expected port's figures over the window when all streams were up:
 * from the last stream's first packet (+ `settleMs`) to the first stream's
 * first packet + `holdMs` (- `settleMs`), when the earliest caller hangs up.
 * A port that got nothing counts as not flowing.
 */
export function runFigures(
  streams: Map<number, Stream>,
  ports: number[],
  holdMs: number,
  limitMs: number,
  settleMs = 1000,
): RunFigures & { perPort: Map<number, GapFigures> } {
  const firsts = ports.map((p) => streams.get(p)?.at[0]).filter((t): t is number => t !== undefined);
  const from = Math.max(...firsts) + settleMs;
  const to = Math.min(...firsts) + holdMs - settleMs;
  const perPort = new Map<number, GapFigures>();
  if (firsts.length === 0 || to - from < 1000) {
    return {
      streams: 0,
      windowMs: Math.max(0, to - from),
      flowing: 0,
      gapOverLimit: ports.length,
      maxGapMs: NaN,
      p99MaxGapMs: NaN,
      medianMaxGapMs: NaN,
      minShare: 0,
      lost: 0,
      perPort,
    };
  }
  for (const p of ports) perPort.set(p, gapFigures(streams.get(p) ?? { at: [], seq: [] }, from, to));
  const all = [...perPort.values()];
  const gaps = all.map((f) => f.maxGapMs).sort((a, b) => a - b);
  return {
    streams: firsts.length,
    windowMs: Math.round(to - from),
    flowing: all.filter((f) => f.maxGapMs <= limitMs && f.share >= 0.95).length,
    gapOverLimit: all.filter((f) => f.maxGapMs > limitMs).length,
    maxGapMs: gaps[gaps.length - 1] ?? NaN,
    p99MaxGapMs: pct(gaps, 0.99),
    medianMaxGapMs: pct(gaps, 0.5),
    minShare: Math.min(...all.map((f) => f.share)),
    lost: all.reduce((a, f) => a + f.lost, 0),
    perPort,
  };
}
