// A pure state machine from call events to one CDR. The B2BUA reports what
// happened; this decides what the record says and when it must be written:
//   attempt → (ringing | early-media)* → answer → (transfer | heartbeat)* → hangup
//   attempt → (ringing | early-media)* → hangup
// with forwards (`forward`) anywhere before the answer.
// Events arrive from the network in any order and any number; one that
// makes no sense in the current state is ignored and says why, never throws.
import {
  secondsBetween,
  type CdrRecord,
  type Direction,
  type Disposition,
  type Forward,
  type HangupSide,
  type Party,
  type Transfer,
} from './cdr-record';

export interface AttemptEvent {
  type: 'attempt';
  at: number;
  callId: string;
  tenantId: number;
  direction: Direction;
  caller: Party;
  callee: Party;
  extension?: string;
  trunk?: string;
}

export type CallEvent =
  | { type: 'ringing'; at: number; trunk?: string }
  | { type: 'early-media'; at: number; trunk?: string }
  | { type: 'answer'; at: number; trunk?: string }
  | ({ type: 'transfer' } & Transfer)
  | ({ type: 'forward' } & Forward)
  | { type: 'heartbeat'; at: number }
  /** The answering side is a gateway whose 200 may come before the GSM callee answers. */
  | { type: 'answer-unreliable'; at: number }
  /** The first audio from the answering side (rtpengine's counters). */
  | { type: 'audio'; at: number }
  | {
      type: 'hangup';
      at: number;
      side: HangupSide;
      sipStatus?: number;
      reason?: string;
      /** The last trunk tried, for a call no trunk answered. */
      trunk?: string;
      /** The destinations the call went through and who answered, as the Call knew them at its end. */
      path?: string[];
      answeredBy?: string;
    };

/**
 * What the caller must persist after this step: `open` inserts the
 * in-progress row (at answer), `touch` moves its lastSeenAt, `close`
 * writes the final record (update of the open row, or insert).
 */
export type CdrWrite = 'open' | 'touch' | 'close';

export interface CdrStep {
  cdr: CdrRecord;
  write?: CdrWrite;
  ignored?: string;
}

/** Our own reasons, set by call-control when it ends a call itself. */
export const SYSTEM_REASONS = { ringTimeout: 'ring-timeout', licenceCapacity: 'licence-capacity', recovery: 'ended-by-recovery' } as const;

export function startCdr(e: AttemptEvent): CdrRecord {
  const cdr: CdrRecord = {
    callId: e.callId,
    tenantId: e.tenantId,
    direction: e.direction,
    caller: { ...e.caller },
    callee: { ...e.callee },
    startedAt: e.at,
    durationSeconds: 0,
    billableSeconds: 0,
    transfers: [],
    status: 'in-progress',
    lastSeenAt: e.at,
  };
  if (e.extension !== undefined) cdr.extension = e.extension;
  if (e.trunk !== undefined) cdr.trunk = e.trunk;
  return cdr;
}

/** RFC 3261 §21 final responses as a PBX reports them (Asterisk's BUSY / NO ANSWER / FAILED). */
export function dispositionOf(answered: boolean, side: HangupSide, sipStatus: number | undefined, reason: string | undefined): Disposition {
  if (answered) return 'answered';
  if (reason === SYSTEM_REASONS.licenceCapacity) return 'refused-by-licence';
  if (side === 'caller') return 'cancelled';
  // 486 Busy Here, 600 Busy Everywhere, 603 Decline (the user pressed "reject").
  if (sipStatus === 486 || sipStatus === 600 || sipStatus === 603) return 'busy';
  // 408 Request Timeout, 480 Temporarily Unavailable, or our own ring timer.
  if (sipStatus === 408 || sipStatus === 480 || reason === SYSTEM_REASONS.ringTimeout) return 'no-answer';
  return 'failed';
}

const ended = (c: CdrRecord) => c.status !== 'in-progress';

/** Latest time already in the record: event clocks never run backwards inside one CDR. */
function latest(c: CdrRecord): number {
  return Math.max(
    c.startedAt,
    c.ringingAt ?? 0,
    c.earlyMediaAt ?? 0,
    c.answeredAt ?? 0,
    c.lastSeenAt,
    ...c.transfers.map((t) => t.at),
    ...(c.forwards ?? []).map((f) => f.at),
  );
}

function ignore(cdr: CdrRecord, why: string): CdrStep {
  return { cdr, ignored: why };
}

export function applyEvent(prev: CdrRecord, e: CallEvent): CdrStep {
  if (ended(prev)) return ignore(prev, `${e.type} after the call ended`);
  const at = Math.max(e.at, latest(prev));
  const cdr: CdrRecord = {
    ...prev,
    caller: { ...prev.caller },
    callee: { ...prev.callee },
    transfers: [...prev.transfers],
    ...(prev.forwards ? { forwards: [...prev.forwards] } : {}),
  };
  switch (e.type) {
    case 'ringing':
    case 'early-media': {
      if (cdr.answeredAt !== undefined) return ignore(prev, `${e.type} after answer`);
      if (e.type === 'ringing') cdr.ringingAt ??= at;
      else cdr.earlyMediaAt ??= at;
      if (e.trunk !== undefined) cdr.trunk = e.trunk;
      return { cdr };
    }
    case 'answer': {
      if (cdr.answeredAt !== undefined) return ignore(prev, 'answer after answer');
      cdr.answeredAt = at;
      cdr.lastSeenAt = at;
      if (e.trunk !== undefined) cdr.trunk = e.trunk;
      return { cdr, write: 'open' };
    }
    case 'transfer': {
      if (cdr.answeredAt === undefined) return ignore(prev, 'transfer before answer');
      cdr.transfers.push({ at, kind: e.kind, to: e.to, by: e.by });
      cdr.lastSeenAt = at;
      return { cdr, write: 'touch' };
    }
    case 'forward': {
      if (cdr.answeredAt !== undefined) return ignore(prev, 'forward after answer');
      cdr.forwards = [...(cdr.forwards ?? []), { at, from: e.from, to: e.to, reason: e.reason }];
      return { cdr };
    }
    case 'answer-unreliable':
      cdr.answerUnreliable = true;
      return { cdr };
    case 'audio':
      cdr.audioAt ??= e.at;
      return { cdr };
    case 'heartbeat': {
      if (cdr.answeredAt === undefined) return ignore(prev, 'heartbeat before answer');
      cdr.lastSeenAt = at;
      return { cdr, write: 'touch' };
    }
    case 'hangup':
      if (e.trunk !== undefined) cdr.trunk = e.trunk;
      if (e.path !== undefined && e.path.length > 0) cdr.path = [...e.path];
      if (e.answeredBy !== undefined) cdr.answeredBy = e.answeredBy;
      return { cdr: close(cdr, at, e.side, e.sipStatus, e.reason, 'completed'), write: 'close' };
  }
}

export function close(
  c: CdrRecord,
  at: number,
  side: HangupSide,
  sipStatus: number | undefined,
  reason: string | undefined,
  status: 'completed' | 'ended-by-recovery',
): CdrRecord {
  const cdr: CdrRecord = { ...c, endedAt: at, lastSeenAt: at, status, hangupSide: side };
  cdr.disposition = dispositionOf(c.answeredAt !== undefined, side, sipStatus, reason);
  cdr.durationSeconds = secondsBetween(c.startedAt, at, 'floor');
  // A gateway's 200 may precede the callee's answer: bill from its first audio (none: nothing to bill).
  const billedFrom = c.answeredAt === undefined ? undefined : c.answerUnreliable ? c.audioAt && Math.max(c.audioAt, c.answeredAt) : c.answeredAt;
  cdr.billableSeconds = billedFrom === undefined ? 0 : secondsBetween(billedFrom, at, 'ceil');
  if (sipStatus !== undefined) cdr.hangupSipStatus = sipStatus;
  if (reason !== undefined) cdr.hangupReason = reason.slice(0, 200);
  return cdr;
}
