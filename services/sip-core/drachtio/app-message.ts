// SIP text written by drachtio-srf is a skeleton, not a wire message: a new
// request usually lacks Via, Call-ID, CSeq and the From tag (notes A.4), so it
// is read leniently here and completed by the server. Network input goes
// through the strict parser in ../sip instead.
import { SipHeaders, SipRequest, SipResponse } from '../sip/message';
import { tokenPattern } from '../sip/header-names';

export class AppMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppMessageError';
  }
}

/**
 * Headers the server owns; values an app gives are ignored (notes A.6.2).
 * Content-Length in particular: srf counts UTF-16 units, we count bytes.
 */
const SERVER_OWNED = new Set(['via', 'route', 'record-route', 'rseq', 'content-length', 'l', 'v']);

export function isServerOwnedHeader(name: string): boolean {
  return SERVER_OWNED.has(name.toLowerCase());
}

export function parseAppMessage(text: string): SipRequest | SipResponse {
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text.replace(/\r\n$/, '') : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 4);
  const lines = head.split('\r\n');
  const start = lines.shift() ?? '';
  const headers = new SipHeaders();
  for (const line of lines) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new AppMessageError(`malformed header line: ${line.slice(0, 60)}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!tokenPattern.test(name)) throw new AppMessageError(`invalid header name: ${name.slice(0, 60)}`);
    if (/[\r\n]/.test(value)) throw new AppMessageError(`invalid value for header ${name}`);
    if (isServerOwnedHeader(name)) continue;
    headers.append(name, value);
  }
  const bodyBuf = Buffer.from(body, 'utf8');
  const status = /^SIP\/2\.0\s+(\d{3})(?:\s+(.*))?$/i.exec(start);
  if (status) return new SipResponse(Number(status[1]), status[2]?.trim() || 'OK', headers, bodyBuf);
  const req = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/i.exec(start);
  if (!req) throw new AppMessageError(`malformed start line: ${start.slice(0, 80)}`);
  return new SipRequest(req[1]!.toUpperCase(), req[2]!, headers, bodyBuf);
}

/** Body without Content-Type: SDP when it looks like SDP, else an error (notes A.6.3). */
export function ensureContentType(msg: SipRequest | SipResponse): string | undefined {
  if (msg.body.length === 0 || msg.headers.has('content-type')) return undefined;
  if (msg.body.subarray(0, 3).toString('latin1') === 'v=0') {
    msg.headers.append('Content-Type', 'application/sdp');
    return undefined;
  }
  return 'missing content-type';
}

/**
 * srf apps may write `sip:user@localhost` meaning "this server" (notes A.6.2):
 * replace that host in From/To/Contact/P-Asserted-Identity with ours.
 */
export function rewriteLocalhost(msg: SipRequest | SipResponse, hostport: string): void {
  for (const name of ['from', 'to', 'contact', 'p-asserted-identity']) {
    const values = msg.headers.getAll(name);
    if (values.length === 0 || !values.some((v) => v.includes('@localhost'))) continue;
    msg.headers.set(
      name,
      values.map((v) => v.replace(/@localhost(:\d+)?(?=[;>\s]|$)/g, `@${hostport}`)),
    );
  }
}

/**
 * Writes each Contact an app gave in name-addr form (`<uri>;params`), as
 * drachtio-server sends it. RFC 3261 §20.10: `sip:u@h;expires=60` and
 * `<sip:u@h>;expires=60` are the same Contact (in the bare form every `;param`
 * is a header parameter); peers that only read `<…>` (srf's own sipp
 * scenarios match `regexp="<sip:(.*)>"`) then find the URI.
 */
export function bracketContacts(msg: SipRequest | SipResponse): void {
  const values = msg.headers.getAll('contact');
  if (!values.some((v) => !v.includes('<') && v.trim() !== '*')) return;
  msg.headers.set(
    'Contact',
    values.map((v) => {
      const t = v.trim();
      if (t === '*' || t.includes('<')) return t;
      const semi = t.indexOf(';');
      return semi < 0 ? `<${t}>` : `<${t.slice(0, semi)}>${t.slice(semi)}`;
    }),
  );
}
