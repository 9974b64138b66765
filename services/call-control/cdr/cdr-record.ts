// The call detail record: one per call, as a bank's billing and its auditors
// read it. Times are Unix milliseconds here and ISO-8601 UTC in the store.

export const DIRECTIONS = ['internal', 'inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const DISPOSITIONS = ['answered', 'busy', 'no-answer', 'failed', 'cancelled', 'refused-by-licence'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const HANGUP_SIDES = ['caller', 'callee', 'system'] as const;
export type HangupSide = (typeof HANGUP_SIDES)[number];

/**
 * `in-progress`: written at answer so a crash leaves a trace;
 * `completed`: closed by a hangup; `ended-by-recovery`: closed after a
 * restart from the last known time (see cdr-recovery.ts).
 */
export const CDR_STATUSES = ['in-progress', 'completed', 'ended-by-recovery'] as const;
export type CdrStatus = (typeof CDR_STATUSES)[number];

export interface Party {
  /** As received: the From user or the dialled digits. */
  dialled: string;
  /** Canonical form from the dial plan (E.164, extension, short code); empty when it could not be normalised. */
  number: string;
}

export interface Transfer {
  at: number;
  kind: 'blind' | 'attended';
  /** The new far party as dialled. */
  to: string;
  by: 'caller' | 'callee';
}

/** Why an extension passed the call on (its extension_features forwarding rules). */
export const FORWARD_REASONS = ['always', 'busy', 'no-answer', 'unreachable'] as const;
export type ForwardReason = (typeof FORWARD_REASONS)[number];

export interface Forward {
  at: number;
  /** The extension that forwarded. */
  from: string;
  /** The target as the dial plan normalised it (an extension or an E.164 number). */
  to: string;
  reason: ForwardReason;
}

export interface CdrRecord {
  /**
   * The call's id, unique per CDR (the store enforces it). The A leg's
   * Call-ID when it is trustworthy; a phone can reuse a Call-ID, so the B2BUA
   * should use the id it also gives rtpengine (e.g. A-leg Call-ID + From tag,
   * or its own UUID), never a value a second call could repeat.
   */
  callId: string;
  tenantId: number;
  direction: Direction;
  caller: Party;
  callee: Party;
  /** The PBX extension involved (caller for outbound/internal, callee for inbound). */
  extension?: string;
  /** The trunk that carried an external leg. */
  trunk?: string;
  startedAt: number;
  ringingAt?: number;
  earlyMediaAt?: number;
  answeredAt?: number;
  endedAt?: number;
  /** Whole seconds from start to end, rounded down. */
  durationSeconds: number;
  /** Seconds from answer to end, each started second counted (operators bill per started second). */
  billableSeconds: number;
  disposition?: Disposition;
  hangupSide?: HangupSide;
  /** SIP status of the final response or 200 for a BYE after answer; undefined when none applies. */
  hangupSipStatus?: number;
  /** Reason header text, or our own code (`ring-timeout`, `licence-capacity`, `ended-by-recovery`). */
  hangupReason?: string;
  transfers: Transfer[];
  /** Call forwarding on the way to the answering phone, in order; absent when the callee took the call itself. */
  forwards?: Forward[];
  /** The destinations the call went through, in order (call/call.ts `path`): `notice:5`, `feature:ivr:2`, `extension:304`. */
  path?: string[];
  /** Who took the call: the ring-group member or extension that answered, or a trunk call's outside number. */
  answeredBy?: string;
  /** The answer came from a GSM gateway whose 200 may precede the callee's answer (fmc quirk `answerUnreliable`). */
  answerUnreliable?: boolean;
  /** First audio from the callee's side; with an unreliable answer, billable time starts here. */
  audioAt?: number;
  status: CdrStatus;
  /** Last time the call was known alive (answer, then heartbeats); what recovery ends it with. */
  lastSeenAt: number;
}

export function secondsBetween(from: number, to: number, mode: 'floor' | 'ceil'): number {
  const s = Math.max(0, to - from) / 1000;
  return mode === 'floor' ? Math.floor(s) : Math.ceil(s);
}
