// Completing the CDRs of calls that a previous call-control process answered
// but never saw end (killed, crashed, power loss).
//
// rtpengine outlives call-control (ARCHITECTURE.md: calls keep their media),
// so the media plane is the witness of when such a call really ended:
// - the rtpengine session still carries packets (last packet within
//   `idleMs`): the people are still talking. The row stays `in-progress`,
//   its lastSeenAt moves to the last packet, and the next sweep looks again;
// - the session is silent for longer than `idleMs`, or gone (rtpengine drops
//   calls without media after its own timeout, 60 s by default): the call is
//   over. The row is closed as `ended-by-recovery` at the last known time —
//   the later of the stored lastSeenAt (answer or last heartbeat) and the
//   last RTP packet — and the media session is deleted to free its ports.
// Without an rtpengine answer (down, or the call never had media) the
// stored lastSeenAt is the end: at most one heartbeat interval too short.
import type { Logger } from '../../common/logger';
import { close, SYSTEM_REASONS } from './cdr-machine';
import type { CdrRecord } from './cdr-record';

/** What recovery needs from the media plane; RtpengineMedia fits via `mediaWitness`. */
export interface MediaWitness {
  /** Last packet time (ms) of a call, or `gone` when rtpengine no longer has it. */
  lastActivity(callId: string): Promise<number | 'gone'>;
  release(callId: string): Promise<void>;
}

/** The store side; CdrsRepo implements it. */
export interface OrphanStore {
  /** In-progress rows written by another process than `owner`. */
  orphans(owner: string): CdrRecord[];
  touch(callIds: readonly string[], at: number): void;
  close(cdr: CdrRecord): void;
}

export interface RecoveryReport {
  closed: CdrRecord[];
  stillTalking: string[];
}

export function endedByRecovery(cdr: CdrRecord, lastKnownAt: number): CdrRecord {
  return close(cdr, Math.max(cdr.lastSeenAt, lastKnownAt), 'system', undefined, SYSTEM_REASONS.recovery, 'ended-by-recovery');
}

export class CdrRecovery {
  constructor(
    private readonly deps: { store: OrphanStore; media?: MediaWitness; owner: string; now: () => number; log: Logger },
    private readonly idleMs = 30_000,
  ) {}

  /** One sweep; run at start-up and then every minute until it reports nothing still talking. */
  async sweep(): Promise<RecoveryReport> {
    const report: RecoveryReport = { closed: [], stillTalking: [] };
    for (const cdr of this.deps.store.orphans(this.deps.owner)) {
      const last = await this.lastActivity(cdr.callId);
      const now = this.deps.now();
      if (typeof last === 'number' && now - last < this.idleMs) {
        if (last > cdr.lastSeenAt) this.deps.store.touch([cdr.callId], last);
        report.stillTalking.push(cdr.callId);
        continue;
      }
      const done = endedByRecovery(cdr, typeof last === 'number' ? Math.min(last, now) : 0);
      this.deps.store.close(done);
      if (last !== 'gone' && this.deps.media) await this.release(cdr.callId);
      this.deps.log.warn('cdr completed by recovery', { callId: cdr.callId, endedAt: new Date(done.endedAt!).toISOString(), billableSeconds: done.billableSeconds });
      report.closed.push(done);
    }
    return report;
  }

  private async lastActivity(callId: string): Promise<number | 'gone' | undefined> {
    if (!this.deps.media) return undefined;
    try {
      return await this.deps.media.lastActivity(callId);
    } catch (err) {
      this.deps.log.warn('rtpengine not available for cdr recovery', { callId, err });
      return undefined;
    }
  }

  private async release(callId: string): Promise<void> {
    try {
      await this.deps.media!.release(callId);
    } catch (err) {
      this.deps.log.warn('could not delete media of a recovered call', { callId, err });
    }
  }
}

/** Adapts RtpengineMedia (or anything with query/delete) to a MediaWitness. */
export function mediaWitness(media: {
  query(callId: string): Promise<{ createdAt?: number; parties: Record<string, { lastPacketAt?: number }> }>;
  delete(callId: string): Promise<unknown>;
}): MediaWitness {
  return {
    async lastActivity(callId) {
      try {
        const stats = await media.query(callId);
        const seconds = Math.max(stats.createdAt ?? 0, ...Object.values(stats.parties).map((p) => p.lastPacketAt ?? 0));
        return seconds * 1000;
      } catch (err) {
        if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'media-call-not-found') return 'gone';
        throw err;
      }
    },
    release: async (callId) => {
      await media.delete(callId);
    },
  };
}
