// Runs one CDR state machine per live call and persists what it decides.
//
// Crash safety (what is on disk when):
// - nothing before answer: an unanswered attempt is written once, at its end;
//   if call-control dies while it rings, the caller's phone times out and no
//   billable time was lost;
// - at answer, the row is inserted with status `in-progress`, the parties,
//   tenant, extension, trunk, start and answer times, `lastSeenAt = answer`
//   and `owner` = this process's boot id;
// - every heartbeat (the service calls `heartbeat()` every 30 s) moves
//   `lastSeenAt` of all live answered calls in one transaction;
// - at hangup the row is completed.
// A restart therefore finds every answered call that was cut off as an
// `in-progress` row of another owner; cdr-recovery.ts completes it.
import type { Logger } from '../../common/logger';
import { applyEvent, startCdr, type AttemptEvent, type CallEvent } from './cdr-machine';
import type { CdrRecord } from './cdr-record';

/** Where CDRs go; the store's CdrsRepo implements it. */
export interface CdrSink {
  open(cdr: CdrRecord, owner: string): void;
  touch(callIds: readonly string[], at: number): void;
  close(cdr: CdrRecord): void;
}

export class CdrRecorder {
  private readonly live = new Map<string, CdrRecord>();

  constructor(private readonly deps: { sink: CdrSink; owner: string; log: Logger }) {}

  get liveCalls(): number {
    return this.live.size;
  }

  attempt(e: AttemptEvent): CdrRecord {
    const existing = this.live.get(e.callId);
    if (existing) {
      this.deps.log.debug('cdr attempt ignored', { callId: e.callId, why: 'call already known' });
      return existing;
    }
    const cdr = startCdr(e);
    this.live.set(e.callId, cdr);
    return cdr;
  }

  /** Applies an event; returns the record as it now stands, undefined for an unknown call. */
  event(callId: string, e: CallEvent): CdrRecord | undefined {
    const prev = this.live.get(callId);
    if (!prev) {
      this.deps.log.debug('cdr event for unknown call', { callId, type: e.type });
      return undefined;
    }
    const step = applyEvent(prev, e);
    if (step.ignored) {
      this.deps.log.debug('cdr event ignored', { callId, type: e.type, why: step.ignored });
      return prev;
    }
    // Persist first: if the write throws, memory keeps the last state that is on disk.
    if (step.write === 'open') this.deps.sink.open(step.cdr, this.deps.owner);
    else if (step.write === 'touch') this.deps.sink.touch([callId], step.cdr.lastSeenAt);
    else if (step.write === 'close') this.deps.sink.close(step.cdr);
    if (step.write === 'close') this.live.delete(callId);
    else this.live.set(callId, step.cdr);
    return step.cdr;
  }

  /** Marks every answered live call as seen at `at`, in one write. */
  heartbeat(at: number): number {
    const answered: string[] = [];
    for (const [callId, cdr] of this.live) {
      if (cdr.answeredAt === undefined) continue;
      const step = applyEvent(cdr, { type: 'heartbeat', at });
      if (step.ignored) continue;
      answered.push(callId);
      this.live.set(callId, step.cdr);
    }
    if (answered.length > 0) this.deps.sink.touch(answered, at);
    return answered.length;
  }
}
