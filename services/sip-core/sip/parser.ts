// SIP message parser (RFC 3261 §7, §18.3, §20, §25). Strict where a wrong
// reading could route a message wrongly (start line, Via, CSeq, Call-ID,
// From/To, Content-Length), lenient where peers commonly differ (bare LF line
// ends, leading blank lines, missing Max-Forwards).
import { isListHeader, mayBeEmpty, tokenPattern } from './header-names';
import { parseCSeq, parseNameAddr, parseNameAddrList, parseViaList, splitList } from './header-values';
import { SipRequest, SipResponse, type SipHeaders, type SipMessage } from './message';
import { ParseError } from './parse-error';

export interface ParseOptions {
  /** Refuse messages above this size in bytes (config sip.maxMessageBytes). */
  maxMessageBytes?: number;
  /** Refuse messages with more header entries than this. */
  maxHeaders?: number;
  /**
   * Datagram transports (§18.3): the body is what follows the headers, cut to
   * Content-Length. Stream transports pass false: the framer already cut the
   * message by Content-Length, which must then be present.
   */
  datagram?: boolean;
}

const defaults = { maxMessageBytes: 65_535, maxHeaders: 256, datagram: true };

/** Headers that must appear at most once (RFC 4475 §3.3.? "multi01", "mcl01"). */
const singletons = ['call-id', 'cseq', 'from', 'to', 'content-length', 'max-forwards', 'content-type'];
const requestMandatory = ['via', 'from', 'to', 'call-id', 'cseq'];
const responseMandatory = ['via', 'from', 'to', 'call-id', 'cseq'];

/** Where the header section ends: index of the blank line and the length of its terminator. */
export function findHeaderEnd(buf: Buffer, from = 0): { end: number; sepLength: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, sepLength: 4 };
  if (lf >= 0) return { end: lf, sepLength: 2 };
  return undefined;
}

/** Bytes of leading CRLFs (RFC 3261 §7.5: ignore empty lines before the start line; also keep-alives). */
export function leadingBlankBytes(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

export function parseMessage(buf: Buffer, options: ParseOptions = {}): SipMessage {
  const opts = { ...defaults, ...options };
  if (buf.length > opts.maxMessageBytes) {
    throw new ParseError('message-too-large', `Message Too Large (${buf.length} bytes)`);
  }
  const start = leadingBlankBytes(buf);
  const sep = findHeaderEnd(buf, start);
  // A datagram without the blank line has no body: accept end of buffer as end of headers.
  const headEnd = sep ? sep.end : buf.length;
  const bodyStart = sep ? sep.end + sep.sepLength : buf.length;
  const head = buf.toString('utf8', start, headEnd);
  const lines = unfold(head.split(/\r?\n/));
  const startLine = lines.shift() ?? '';
  let msg: SipMessage;
  try {
    msg = parseStartLine(startLine);
  } catch (e) {
    if (e instanceof ParseError) e.partial = partialRequest(startLine, lines, opts.maxHeaders) ?? e.partial;
    throw e;
  }
  try {
    parseHeaders(lines, msg.headers, opts.maxHeaders);
    msg.body = takeBody(msg, buf, bodyStart, opts.datagram);
    validate(msg);
  } catch (e) {
    if (e instanceof ParseError && msg.kind === 'request') e.partial = msg;
    throw e;
  }
  return msg;
}

/**
 * A request line we refused (bad Request-URI, other version) still names a
 * method and ends in SIP/x.y: read the headers as far as they go, so the
 * caller can answer 400/505 to the sender's Via.
 */
function partialRequest(line: string, lines: string[], maxHeaders: number): SipRequest | undefined {
  const m = /^([A-Za-z0-9\-.!%*_+`'~]+) (.+) SIP\/\d+\.\d+$/.exec(line);
  if (!m) return undefined;
  const req = new SipRequest(m[1]!, m[2]!);
  try {
    parseHeaders(lines, req.headers, maxHeaders);
  } catch {
    // Keep what was read before the bad line.
  }
  return req;
}

/** RFC 3261 §7.3.1: a line starting with SP or HT continues the previous header line. */
function unfold(raw: string[]): string[] {
  const out: string[] = [];
  for (const line of raw) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 1) {
      out[out.length - 1] = out[out.length - 1]!.trimEnd() + ' ' + line.trim();
    } else {
      out.push(line);
    }
  }
  return out;
}

function parseStartLine(line: string): SipMessage {
  if (line.startsWith('SIP/')) {
    const m = /^(SIP\/\d+\.\d+) (\d{3}) (.*)$/.exec(line) ?? /^(SIP\/\d+\.\d+) (\d{3})$/.exec(line);
    if (!m) throw new ParseError('bad-status-line', 'bad status line');
    if (m[1] !== 'SIP/2.0') throw new ParseError('version-not-supported', 'SIP Version Not Supported');
    const status = Number(m[2]);
    if (status < 100 || status > 699) throw new ParseError('bad-status-line', `bad status code ${status}`);
    return new SipResponse(status, m[3] ?? '');
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF: exactly single spaces (RFC 4475 §3.1.2.9/10).
  const parts = line.split(' ');
  if (parts.length !== 3) {
    throw new ParseError('bad-request-line', line.trim() === '' ? 'empty request line' : 'bad request line');
  }
  const [method, uri, version] = parts as [string, string, string];
  if (!tokenPattern.test(method)) throw new ParseError('bad-request-line', 'bad method in request line');
  if (!/^SIP\/\d+\.\d+$/.test(version)) throw new ParseError('bad-request-line', 'bad request line');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/.test(uri)) throw new ParseError('bad-request-uri', 'bad Request-URI');
  if (version !== 'SIP/2.0') throw new ParseError('version-not-supported', 'SIP Version Not Supported');
  return new SipRequest(method, uri);
}

function parseHeaders(lines: string[], headers: SipHeaders, maxHeaders: number): void {
  for (const line of lines) {
    if (line === '') continue;
    // RFC 3261 §25.1: CR only ends a line; not even quoted-pair may carry it.
    if (line.includes('\r')) throw new ParseError('bad-header', 'bare CR in a header line');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ParseError('bad-header', `bad header line: ${line.slice(0, 40)}`);
    const name = line.slice(0, colon).trim();
    if (!tokenPattern.test(name)) throw new ParseError('bad-header', `bad header name: ${name.slice(0, 40)}`);
    const value = line.slice(colon + 1).trim();
    const values = isListHeader(name) ? splitList(value) : [value];
    if (values.length === 0) {
      if (!mayBeEmpty(name)) throw new ParseError('bad-header', `empty ${name} header`);
      // Kept as one empty entry: "Supported:" says "no extensions", which differs from no Supported at all.
      values.push('');
    }
    for (const v of values) headers.append(name, v);
    if (headers.size > maxHeaders) throw new ParseError('too-many-headers', `too many headers (over ${maxHeaders})`);
  }
}

function takeBody(msg: SipMessage, buf: Buffer, bodyStart: number, datagram: boolean): Buffer {
  const available = buf.length - bodyStart;
  const cl = msg.headers.get('content-length');
  if (cl === undefined) {
    // §18.3: mandatory on streams; on datagrams the body runs to the end of the packet.
    if (!datagram && available > 0) throw new ParseError('missing-content-length', 'missing Content-Length');
    return ownCopy(buf, bodyStart, buf.length);
  }
  if (!/^\d{1,9}$/.test(cl)) throw new ParseError('bad-content-length', `bad Content-Length: ${cl.slice(0, 20)}`);
  const length = Number(cl);
  if (length > available) {
    throw new ParseError('truncated-body', `Content-Length ${length} exceeds body (${available} bytes)`);
  }
  // §18.3: bytes past Content-Length in a datagram are discarded.
  return ownCopy(buf, bodyStart, bodyStart + length);
}

/**
 * The body in an allocation of its own. `Buffer.from` would copy it into
 * Node's shared 8 KB pool, and one body kept for the length of a transaction
 * would keep the whole slab alive.
 */
function ownCopy(buf: Buffer, start: number, end: number): Buffer {
  if (end <= start) return Buffer.alloc(0);
  const body = Buffer.allocUnsafeSlow(end - start);
  buf.copy(body, 0, start, end);
  return body;
}

function validate(msg: SipMessage): void {
  const h = msg.headers;
  for (const name of msg.kind === 'request' ? requestMandatory : responseMandatory) {
    if (!h.has(name)) throw new ParseError('missing-header', `missing ${headerTitle(name)} header`);
  }
  for (const name of singletons) {
    if (h.getAll(name).length > 1) throw new ParseError('duplicate-header', `more than one ${headerTitle(name)} header`);
  }
  const callId = h.get('call-id')!;
  if (!/^[^\s]+$/.test(callId)) throw new ParseError('bad-call-id', 'bad Call-ID');
  for (const v of h.getAll('via')) parseViaList(v);
  const cseq = parseCSeq(h.get('cseq')!);
  parseNameAddr(h.get('from')!, 'From');
  parseNameAddr(h.get('to')!, 'To');
  for (const v of h.getAll('contact')) parseNameAddrList(v, 'Contact');
  checkScalar(h.get('max-forwards'), 'Max-Forwards', 255);
  checkScalar(h.get('expires'), 'Expires', 2 ** 32 - 1);
  if (msg.kind === 'request') {
    // RFC 3261 §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17/18).
    if (cseq.method !== msg.method) throw new ParseError('cseq-method-mismatch', 'CSeq method does not match request method');
    // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    if (/^sips?:/i.test(msg.uri) && msg.uri.slice(msg.uri.lastIndexOf('@') + 1).includes('?')) throw new ParseError('bad-request-uri', 'headers not allowed in Request-URI');
  }
}

function checkScalar(value: string | undefined, name: string, max: number): void {
  if (value === undefined) return;
  if (!/^\d{1,10}$/.test(value) || Number(value) > max) throw new ParseError('bad-header', `bad ${name}: ${value.slice(0, 24)}`);
}

function headerTitle(key: string): string {
  const titles: Record<string, string> = { 'call-id': 'Call-ID', cseq: 'CSeq' };
  return titles[key] ?? key.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

