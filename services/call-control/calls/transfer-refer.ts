// What a REFER asks for, read defensively (RFC 3515 §2.1 Refer-To, RFC 3891
// §6.1 Replaces carried as a URI header, RFC 4488 Refer-Sub), and the NOTIFY
// that reports the referenced call's progress (RFC 3515 §2.4.4–2.4.7: Event
// refer, a message/sipfrag status line, Subscription-State).
import { parseAddress, SipAddressError, uriParts } from '../registrar/sip-address';

/** The dialog a Replaces header names (RFC 3891 §6.1), tags as its sender sees them. */
export interface ReplacesTarget {
  callId: string;
  toTag: string;
  fromTag: string;
  earlyOnly: boolean;
}

export interface ReferTarget {
  /** The Refer-To URI without its headers part. */
  uri: string;
  /** The number to route: the URI's user part (a tel: URI's number). */
  user: string;
  replaces?: ReplacesTarget;
}

export class ReferError extends Error {
  constructor(
    readonly status: 400 | 403 | 416 | 501,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN = /^[\x21-\x7e]{1,256}$/; // RFC 3261 §25.1 Call-ID word and tag token: visible ASCII

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ReferError(400, 'refer-to-invalid', `Refer-To: bad escape in ${what}`);
  }
}

/** `callid;to-tag=x;from-tag=y[;early-only]` (RFC 3891 §6.1), already %-decoded. */
export function parseReplaces(value: string): ReplacesTarget {
  const [callId = '', ...params] = value.split(';').map((s) => s.trim());
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const p of params) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const v = eq < 0 ? '' : p.slice(eq + 1);
    if (name === 'to-tag') toTag = v;
    else if (name === 'from-tag') fromTag = v;
    else if (name === 'early-only') earlyOnly = true;
  }
  if (!TOKEN.test(callId) || toTag === undefined || fromTag === undefined || !TOKEN.test(toTag) || !TOKEN.test(fromTag)) {
    throw new ReferError(400, 'replaces-invalid', 'Replaces: needs a Call-ID, to-tag and from-tag');
  }
  return { callId, toTag, fromTag, earlyOnly };
}

/** The Refer-To header value (exactly one, RFC 3515 §2.4.1) → where to transfer. */
export function parseReferTo(header: string | undefined): ReferTarget {
  if (header === undefined || header.trim() === '') throw new ReferError(400, 'refer-to-missing', 'Refer-To: missing');
  let addr;
  try {
    addr = parseAddress(header);
  } catch (err) {
    if (err instanceof SipAddressError) throw new ReferError(/URI/.test(err.message) ? 416 : 400, 'refer-to-invalid', `Refer-To: ${err.message}`);
    throw err;
  }
  const q = addr.uri.indexOf('?');
  const uri = q < 0 ? addr.uri : addr.uri.slice(0, q);
  let user: string;
  try {
    user = uriParts(uri).user;
  } catch (err) {
    if (err instanceof SipAddressError) throw new ReferError(400, 'refer-to-invalid', `Refer-To: ${err.message}`);
    throw err;
  }
  if (user === '') throw new ReferError(400, 'refer-to-invalid', 'Refer-To: no user part to route');
  // RFC 3515 §2.1: the referenced request is INVITE; we act on no other method.
  if (/;\s*method=(?!invite\b)/i.test(uri)) throw new ReferError(501, 'refer-method-unsupported', 'Refer-To: only INVITE can be referred');
  const target: ReferTarget = { uri, user };
  if (q < 0) return target;
  // RFC 3261 §19.1.1: `?name=value&…`, values %-escaped.
  for (const h of addr.uri.slice(q + 1).split('&')) {
    const eq = h.indexOf('=');
    const name = decode(eq < 0 ? h : h.slice(0, eq), 'a header name').toLowerCase();
    const value = decode(eq < 0 ? '' : h.slice(eq + 1), name);
    if (name === 'replaces') target.replaces = parseReplaces(value);
    else if (name === 'method' && value.toUpperCase() !== 'INVITE') throw new ReferError(501, 'refer-method-unsupported', `Refer-To: method ${value.slice(0, 16)} is not supported`);
  }
  return target;
}

/** RFC 4488 §4: `Refer-Sub: false` asks for no implicit subscription (no NOTIFYs). */
export function wantsNoSubscription(referSub: string | undefined): boolean {
  return referSub !== undefined && referSub.trim().toLowerCase().startsWith('false');
}

export interface NotifyRequest {
  method: 'NOTIFY';
  headers: Record<string, string>;
  body: string;
}

/** How long we promise to report (RFC 3515 §2.4.4 implicit subscription); a transfer rings at most this long. */
export const REFER_SUBSCRIPTION_SECONDS = 60;

/**
 * One progress report on a REFER: `status` is the referenced INVITE's latest
 * response. A final status terminates the implicit subscription
 * (RFC 3515 §2.4.7, RFC 6665 §4.1.3 reason `noresource`). `eventId` is the
 * REFER's CSeq number, needed from the second REFER in a dialog on
 * (RFC 3515 §2.4.6).
 */
export function referNotify(status: number, reason: string, eventId?: number): NotifyRequest {
  const final = status >= 200;
  return {
    method: 'NOTIFY',
    headers: {
      Event: eventId === undefined ? 'refer' : `refer;id=${eventId}`,
      'Subscription-State': final ? 'terminated;reason=noresource' : `active;expires=${REFER_SUBSCRIPTION_SECONDS}`,
      'Content-Type': 'message/sipfrag;version=2.0',
    },
    body: `SIP/2.0 ${status} ${reason.replace(/[\r\n]/g, ' ')}\r\n`,
  };
}
