// rtpengine's `query` (and `delete`) reply, reduced to what call-control
// and CDRs use. Counters of a party are what rtpengine *received from* that
// party (its streams' `stats`), so A's RTP packets are A's outgoing audio.
import type { NgDict } from './ng-client';

export interface Counters {
  packets: number;
  bytes: number;
  errors: number;
}

export interface PartyStats {
  tag: string;
  rtp: Counters;
  rtcp: Counters;
  /** Where rtpengine sends this party's media (learned or from SDP), `ip:port`. */
  endpoint?: string;
  /** Unix seconds of the last packet from this party. */
  lastPacketAt?: number;
}

export interface CallStats {
  createdAt?: number;
  parties: Record<string, PartyStats>;
  totals: { rtp: Counters; rtcp: Counters };
}

const zero = (): Counters => ({ packets: 0, bytes: 0, errors: 0 });
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const asDict = (v: unknown): NgDict => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as NgDict) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function counters(v: unknown): Counters {
  const d = asDict(v);
  return { packets: num(d.packets), bytes: num(d.bytes), errors: num(d.errors) };
}

function add(into: Counters, c: Counters): void {
  into.packets += c.packets;
  into.bytes += c.bytes;
  into.errors += c.errors;
}

function party(tag: string, raw: NgDict): PartyStats {
  const p: PartyStats = { tag, rtp: zero(), rtcp: zero() };
  for (const media of asList(raw.medias)) {
    for (const s of asList(asDict(media).streams)) {
      const stream = asDict(s);
      const flags = asList(stream.flags);
      const isRtcp = flags.includes('RTCP');
      add(isRtcp ? p.rtcp : p.rtp, counters(stream.stats));
      if (isRtcp) continue;
      const ep = asDict(stream.endpoint);
      if (typeof ep.address === 'string' && typeof ep.port === 'number' && p.endpoint === undefined) {
        p.endpoint = ep.family === 'IPv6' ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
      }
      const last = num(stream['last packet']);
      if (last > 0) p.lastPacketAt = Math.max(p.lastPacketAt ?? 0, last);
    }
  }
  return p;
}

export function parseCallStats(reply: NgDict): CallStats {
  const parties: Record<string, PartyStats> = {};
  for (const [tag, raw] of Object.entries(asDict(reply.tags))) parties[tag] = party(tag, asDict(raw));
  const totals = asDict(reply.totals);
  const stats: CallStats = { parties, totals: { rtp: counters(totals.RTP), rtcp: counters(totals.RTCP) } };
  if (typeof reply.created === 'number') stats.createdAt = reply.created;
  return stats;
}
