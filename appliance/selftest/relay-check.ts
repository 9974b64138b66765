// Whether rtpengine relayed every held call's media both ways: its counters
// for each call are read twice, a window apart, while every call is up; a
// call whose either side grew by less than 90 % of the packets a 20 ms phone
// sends in that window is counted as not relayed. Shared by `korobka
// selftest` and bench/calls' held calls.
import type { CallStats } from '../../services/call-control/media/call-stats';
import type { RtpengineMedia } from '../../services/call-control';

export const WINDOW_MS = 5000;

export interface RelayCheck {
  windowMs: number;
  callsMeasured: number;
  callsRelayedBothWays: number;
  minShareOfExpected: number;
  medianShareOfExpected: number;
  packetErrors: number;
}

/** Each call's counters and when rtpengine was asked (queries run 32 at a time: one by one took longer than the hold on a busy machine). */
export type Snapshot = Map<string, { stats: CallStats; at: number }>;

export async function snapshot(media: RtpengineMedia, ids: string[]): Promise<Snapshot> {
  const out: Snapshot = new Map();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const stats = await media.query(id);
        out.set(id, { stats, at: Date.now() });
      } catch {
        /* ended meanwhile, or rtpengine did not answer: not measured */
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return out;
}

/** Each side's RTP packet growth between two snapshots, as a share of what a 20 ms phone sends in that call's own interval. */
export function relayed(a: Snapshot, b: Snapshot, ms: number): RelayCheck {
  const shares: number[] = [];
  let ok = 0;
  let errors = 0;
  for (const [id, first] of a) {
    const second = b.get(id);
    if (!second) continue;
    const expected = (second.at - first.at) / 20;
    const tags = Object.keys(second.stats.parties);
    const growth = tags.map((t) => (second.stats.parties[t]?.rtp.packets ?? 0) - (first.stats.parties[t]?.rtp.packets ?? 0));
    errors += tags.reduce((n, t) => n + (second.stats.parties[t]?.rtp.errors ?? 0), 0);
    const worst = growth.length === 2 && expected > 0 ? Math.min(...growth) / expected : 0;
    shares.push(worst);
    if (worst >= 0.9) ok++;
  }
  shares.sort((x, y) => x - y);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { windowMs: ms, callsMeasured: shares.length, callsRelayedBothWays: ok, minShareOfExpected: round(shares[0] ?? 0), medianShareOfExpected: round(shares[shares.length >> 1] ?? 0), packetErrors: errors };
}
