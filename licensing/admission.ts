// Capacity decisions call-control and the API ask before they act. Pure:
// they get the effective limits (LicenceEvaluation.limits) and a count.
//
// How a call is counted: one call is one conversation a caller has with the
// box, from the moment the box accepts the INVITE until the last leg of it
// is gone, whatever its legs. A bridged A→B call is one call (two legs). A
// caller in an IVR or waiting in a queue is one call; when an agent answers,
// the agent leg joins the same call. A transfer keeps the call; a
// consultation call the transferring user places is a new call while it
// lasts. Calls between two extensions count like any other.
import type { Limits } from './profiles';

// Q.850 cause 34, "no circuit/channel available": what an exchange reports
// when it has no trunk left, which is exactly what a licence limit is.
const Q850_NO_CIRCUIT = 34;

export interface SipRefusal {
  status: 503;
  reasonPhrase: 'Service Unavailable';
  /** Headers to add to the response, e.g. { Reason: 'Q.850;cause=34;text="licence limit: 16 concurrent calls"' }. */
  headers: { Reason: string };
}

export type AdmissionDecision =
  | { admit: true; activeCalls: number; limit: number }
  | { admit: false; code: 'licence-call-limit'; message: string; activeCalls: number; limit: number; sip: SipRefusal };

/** RFC 3261 §25.1 quoted-string: backslash-escape `"` and `\`; control characters are not allowed. */
function quotedString(s: string): string {
  const clean = [...s].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
  return `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * RFC 3326 §2: Reason = "Reason" HCOLON reason-value; reason-value = protocol
 * *(SEMI reason-params) with protocol-cause `cause=` and reason-text
 * `text=` quoted-string. RFC 6432 allows Q.850 causes in responses.
 */
export function reasonHeader(cause: number, text: string): string {
  return `Q.850;cause=${cause};text=${quotedString(text)}`;
}

/**
 * Admit a new call, or refuse it with the response to send. A call is
 * refused exactly when `activeCalls` already equals the limit. The 503
 * carries no Retry-After on purpose: with one (RFC 3261 §21.5.4) a trunk
 * would treat the whole box as down for that time, while the next call may
 * well fit.
 */
export function admitCall(limits: Pick<Limits, 'concurrentCalls'>, activeCalls: number): AdmissionDecision {
  const limit = limits.concurrentCalls;
  if (activeCalls < limit) return { admit: true, activeCalls, limit };
  const text = `licence limit: ${limit} concurrent calls`;
  return {
    admit: false,
    code: 'licence-call-limit',
    message: `Call refused: ${activeCalls} calls are active and the licence allows ${limit} concurrent calls.`,
    activeCalls,
    limit,
    sip: { status: 503, reasonPhrase: 'Service Unavailable', headers: { Reason: reasonHeader(Q850_NO_CIRCUIT, text) } },
  };
}

/** The box's error shape {status, code, message, details} (services/common/errors.ts), spelled here: licensing imports no service. */
interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export type ExtensionDecision = { ok: true } | { ok: false; error: ErrorBody & { code: 'licence-extension-limit' } };

/** Whether one more extension may be created when `count` exist. */
export function canCreateExtension(limits: Pick<Limits, 'extensions'>, count: number): ExtensionDecision {
  if (count < limits.extensions) return { ok: true };
  return {
    ok: false,
    error: {
      status: 403,
      code: 'licence-extension-limit',
      message: `The licence allows ${limits.extensions} extensions and ${count} exist; remove one or install a licence with a larger profile.`,
      details: { limit: limits.extensions, count },
    },
  };
}

/**
 * The set of calls in progress, keyed by a conversation id call-control
 * chooses (the Call-ID of the leg that entered the box). Legs added to a
 * conversation (queue → agent, IVR → extension) do not take another slot.
 * In memory, no I/O: call-control owns one per process.
 */
export class CallLedger {
  private readonly active = new Set<string>();

  get size(): number {
    return this.active.size;
  }

  /** Admits a new conversation, or accepts a further leg of one already admitted. */
  admit(limits: Pick<Limits, 'concurrentCalls'>, conversationId: string): AdmissionDecision {
    if (this.active.has(conversationId)) return { admit: true, activeCalls: this.active.size, limit: limits.concurrentCalls };
    const decision = admitCall(limits, this.active.size);
    if (decision.admit) this.active.add(conversationId);
    return decision;
  }

  /**
   * Takes a slot for a call admitted earlier by a previous process (taken over
   * after a restart): it is counted, never refused, even above today's limit.
   */
  hold(conversationId: string): void {
    this.active.add(conversationId);
  }

  /** Frees the slot when the conversation's last leg ends; unknown ids are ignored (BYE after CANCEL, retries). */
  release(conversationId: string): void {
    this.active.delete(conversationId);
  }
}
