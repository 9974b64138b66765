// Transaction matching (RFC 3261 §17.1.3, §17.2.3): by branch when it carries
// the magic cookie, else by the RFC 2543 fields.
import type { SipRequest, SipResponse } from '../message';
import type { TransactionTimers } from '../types';

export const MAGIC_COOKIE = 'z9hG4bK';

export const defaultTimers: TransactionTimers = { t1: 500, t2: 4000, t4: 5000 };

/**
 * Server transaction key of a request. ACK maps onto the INVITE it acknowledges;
 * `asMethod` lets CANCEL look up the INVITE it cancels (§9.2).
 */
export function serverKey(req: SipRequest, asMethod?: string): string {
  const via = req.topVia;
  const method = asMethod ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  const sentBy = `${via.host}:${via.port ?? ''}`;
  if (via.branch?.startsWith(MAGIC_COOKIE)) return `${via.branch}|${sentBy}|${method}`;
  // RFC 2543 fallback: Call-ID, From tag, CSeq number, top Via, method. The To tag
  // is left out: an ACK carries the tag of our response, the INVITE had none.
  return `2543|${req.callId}|${req.from.tag ?? ''}|${req.cseq.seq}|${sentBy}|${via.branch ?? ''}|${method}`;
}

/** Client transaction key of a response: top Via branch and CSeq method (§17.1.3). */
export function clientKeyOfResponse(res: SipResponse): string | undefined {
  const branch = res.topVia.branch;
  return branch ? `${branch}|${res.cseq.method}` : undefined;
}

export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}
