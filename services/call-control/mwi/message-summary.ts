// Message-waiting indication, the protocol parts (pure, no SIP stack):
// the message-summary event package (RFC 3842) and the subscription
// duration rules of RFC 6665.
//
//   SUBSCRIBE sip:202@bank.example      Event: message-summary   Expires: 3600
//   ← 202, then NOTIFY at once (RFC 6665 §4.2.1.1) and on every change:
//   Subscription-State: active;expires=<left>
//   Content-Type: application/simple-message-summary
//
//   Messages-Waiting: yes
//   Message-Account: sip:202@bank.example
//   Voice-Message: 2/1 (0/0)            new/old (urgent new/urgent old), RFC 3842 §5.2

export const EVENT = 'message-summary';
export const CONTENT_TYPE = 'application/simple-message-summary';
/** RFC 3842 §4: the package has no default duration; 3600 s is what phones use and what Asterisk grants. */
export const DEFAULT_EXPIRES = 3600;
/** Shorter than this is refused 423 with Min-Expires (RFC 6665 §4.2.1.1): a phone refreshing every second costs a NOTIFY each time. */
export const MIN_EXPIRES = 60;
/** Longer requests are granted this much (RFC 6665 §4.2.1.1: the notifier may shorten, never lengthen). */
export const MAX_EXPIRES = 3600;

export interface Summary {
  newMessages: number;
  oldMessages: number;
}

/** The NOTIFY body (RFC 3842 §5.2): CRLF lines, Voice-Message without urgent counts (we have no urgent messages). */
export function summaryBody(s: Summary, account: string): string {
  return [`Messages-Waiting: ${s.newMessages > 0 ? 'yes' : 'no'}`, `Message-Account: ${account}`, `Voice-Message: ${s.newMessages}/${s.oldMessages} (0/0)`, ''].join('\r\n');
}

/** The event package named by an Event header (parameters such as `;id=` dropped, RFC 6665 §8.2.1), lower-cased. */
export function eventPackage(header: string | undefined): string | undefined {
  const name = header?.split(';')[0]?.trim().toLowerCase();
  return name ? name : undefined;
}

export type ExpiresDecision = { grant: number } | { unsubscribe: true } | { tooBrief: true; min: number } | { bad: string };

/** What a SUBSCRIBE's Expires asks for (RFC 6665 §4.2.1.1 and §4.1.2.3: 0 = fetch or unsubscribe). */
export function decideExpires(header: string | undefined): ExpiresDecision {
  if (header === undefined || header.trim() === '') return { grant: DEFAULT_EXPIRES };
  if (!/^\d{1,10}$/.test(header.trim())) return { bad: `Expires: expected seconds, got ${header.trim().slice(0, 20)}` };
  const n = Number(header.trim());
  if (n === 0) return { unsubscribe: true };
  if (n < MIN_EXPIRES) return { tooBrief: true, min: MIN_EXPIRES };
  return { grant: Math.min(n, MAX_EXPIRES) };
}
