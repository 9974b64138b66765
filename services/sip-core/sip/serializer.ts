// Writes messages to the wire (RFC 3261 §7): one header per line in canonical
// spelling, Content-Length recomputed in bytes and written last.
import { SipHeaders, SipResponse, type SipMessage, type SipRequest } from './message';

export function serializeMessage(msg: SipMessage): Buffer {
  const startLine =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} ${msg.version}` : `${msg.version} ${msg.status} ${msg.reason}`;
  let head = startLine + '\r\n';
  for (const { name, value } of msg.headers.entries()) {
    if (name === 'Content-Length') continue;
    // A CR or LF inside a value would let it inject headers: fold it into a space.
    head += `${name}: ${/[\r\n]/.test(value) ? value.replace(/[\r\n]+/g, ' ') : value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const headBuf = Buffer.from(head, 'utf8');
  return msg.body.length === 0 ? headBuf : Buffer.concat([headBuf, msg.body]);
}

/** Reason phrases of RFC 3261 §21 and the extensions sip-core uses. */
export const reasonPhrases: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  199: 'Early Dialog Terminated', 200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy',
  380: 'Alternative Service', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 410: 'Gone', 412: 'Conditional Request Failed',
  413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme', 420: 'Bad Extension', 421: 'Extension Required', 422: 'Session Interval Too Small',
  423: 'Interval Too Brief', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending',
  493: 'Undecipherable', 500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return reasonPhrases[status] ?? (status < 200 ? 'Session Progress' : status < 300 ? 'OK' : 'Unknown');
}

/**
 * A response to `req` (RFC 3261 §8.2.6.2): Via (all, in order), From, To,
 * Call-ID and CSeq copied. `toTag` is added to To when it has none (not for 100).
 */
export function createResponse(req: SipRequest, status: number, reason?: string, toTag?: string): SipResponse {
  const headers = new SipHeaders();
  for (const via of req.headers.getAll('via')) headers.append('Via', via);
  const from = req.headers.get('from');
  if (from !== undefined) headers.append('From', from);
  let to = req.headers.get('to');
  if (to !== undefined && toTag !== undefined && status > 100 && !/;\s*tag\s*=/i.test(to)) to = `${to};tag=${toTag}`;
  if (to !== undefined) headers.append('To', to);
  const callId = req.headers.get('call-id');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = req.headers.get('cseq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  return new SipResponse(status, reason ?? reasonPhrase(status), headers);
}
