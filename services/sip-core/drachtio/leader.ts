// A wire payload is a leader line of `|`-separated positional tokens,
// optionally followed by CRLF and a raw SIP message (notes A.2, A.3).

export interface WireMessage {
  /** Token 0: the sender's message id (the request id for app commands). */
  id: string;
  /** Token 1: the message type (`authenticate`, `route`, `sip`, …). */
  type: string;
  /** All tokens, positions as on the wire (empty tokens kept). */
  tokens: string[];
  /** The raw SIP part after the first CRLF, or '' when absent. */
  sip: string;
}

export function parseWireMessage(payload: string): WireMessage {
  const crlf = payload.indexOf('\r\n');
  const leader = crlf === -1 ? payload : payload.slice(0, crlf);
  const sip = crlf === -1 ? '' : payload.slice(crlf + 2);
  const tokens = leader.split('|');
  return { id: tokens[0] ?? '', type: tokens[1] ?? '', tokens, sip };
}

/** `HH:MM:SS.uuuuuu` UTC, the time format the reference server puts in meta. */
export function wireTime(now = new Date()): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const micros = String(now.getUTCMilliseconds() * 1000).padStart(6, '0');
  return `${p2(now.getUTCHours())}:${p2(now.getUTCMinutes())}:${p2(now.getUTCSeconds())}.${micros}`;
}

/** Meta block describing a SIP message (notes A.5): source … dialogId. */
export interface WireMeta {
  source: 'network' | 'application';
  bytes: number;
  protocol: string;
  address: string;
  port: number;
  transactionId: string;
  dialogId: string;
}

export function metaTokens(m: WireMeta): string[] {
  return [m.source, String(m.bytes), m.protocol, m.address, String(m.port), wireTime(), m.transactionId, m.dialogId];
}
