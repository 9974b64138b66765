// One party of a call as SIP sees it: the caller's INVITE (pending, then the
// dialog we answered it with), or a dialog we placed towards a phone or a
// trunk. Features talk to legs, never to drachtio-srf's requests and dialogs,
// so they are testable with a fake leg (test/call-control/fakes/fake-leg.ts).

export type LegRole = 'caller' | 'callee';

/**
 * `offered`: an INVITE waits for our final response (the caller's leg) or
 * for the far end's (a leg we place); `early`: a provisional with a To tag;
 * `answered`: a confirmed dialog; `ended`: BYE, CANCEL or a final failure.
 */
export type LegState = 'offered' | 'early' | 'answered' | 'ended';

/** RFC 4733 telephone-event (rtpengine's DTMF report) or SIP INFO (application/dtmf-relay). */
export interface DtmfDigit {
  digit: string;
  source: 'rfc4733' | 'info';
  durationMs?: number;
}

/** A re-INVITE from the leg's far end: answer it with an SDP, or refuse it (RFC 3261 §14.2 keeps the old session). */
export interface ReInvite {
  sdp: string | undefined;
  accept(sdp: string): void;
  refuse(status: number, reason: string): void;
}

/** A REFER from the leg's far end (RFC 3515): the subscriber owns the 202/NOTIFY exchange. */
export interface Refer {
  referTo: string;
  /** drachtio-srf's request and response, for transfer's RFC 3515 / 4488 details. */
  req: unknown;
  res: unknown;
}

export interface LegEvents {
  /** The far end hung up (BYE, or CANCEL of the caller's INVITE). */
  bye: [];
  reinvite: [ReInvite];
  refer: [Refer];
  dtmf: [DtmfDigit];
}

export interface Leg {
  /** Unique within the call (the far end's tag once known). */
  readonly id: string;
  readonly role: LegRole;
  /** The party's number as the CDR names it (an extension, an E.164 number). */
  readonly number: string;
  readonly state: LegState;
  /** rtpengine's name for this party (its SIP tag): media is played to and blocked from it by this. */
  readonly mediaTag: string;
  /** The SDP the far end last sent (offer or answer). */
  readonly remoteSdp: string | undefined;
  /** The caller's leg only: 180/181/183 on its INVITE (183 with rtpengine's SDP for early media). */
  provisional(status: 180 | 181 | 183, reason: string, sdp?: string): void;
  /** The caller's leg only: 200 OK with `sdp`; resolves once the dialog exists. */
  answer(sdp: string): Promise<void>;
  /** The caller's leg only, before answer: a final failure (RFC 3261 §21), `headers` e.g. a Reason. */
  reject(status: number, reason: string, headers?: Record<string, string>): void;
  /** A re-INVITE with `sdp` (hold, a move to another rtpengine session); resolves with the far end's answer. */
  reinvite(sdp: string): Promise<string>;
  /** BYE when answered, CANCEL / final failure before; no-op once ended. */
  hangup(): Promise<void>;
  on<E extends keyof LegEvents>(event: E, fn: (...args: LegEvents[E]) => void): () => void;
}
