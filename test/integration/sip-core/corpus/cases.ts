// Hostile and malformed SIP input, with what sip-core must do with each over
// UDP and over TCP. Hand-written messages are the .sip files beside this one
// (raw bytes, CRLF line ends); large or binary ones are generated here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Limit the corpus tests configure (config sip.maxMessageBytes). */
export const CORPUS_MAX_MESSAGE_BYTES = 32_768;

/**
 * - reply: answered with this status and reason phrase
 * - dropped: read and counted as malformed, not answered (nothing to answer to)
 * - closed: TCP only: the framing is lost, the connection is closed (counted)
 * - pending: TCP only: not a complete frame yet; the stack keeps waiting (bounded by size and idle limits)
 */
export type Outcome = { reply: number; reason: string } | 'dropped' | 'closed' | 'pending';

export interface CorpusCase {
  name: string;
  bytes: Buffer;
  udp: Outcome;
  tcp: Outcome;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const file = (name: string) => readFileSync(path.join(dir, name));
const r = (reply: number, reason: string): Outcome => ({ reply, reason });

/** Deterministic junk (xorshift), so a failure can be replayed. */
function junk(bytes: number, seed = 0x2545f491): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  // Never start with a blank line or a plausible SIP start line.
  out[0] = 0x16;
  return out;
}

const head = (method: string, extra: string[]) =>
  [
    `${method} sip:svc@127.0.0.1 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKgen1;rport',
    'Max-Forwards: 70',
    'From: <sip:fuzz@127.0.0.1>;tag=gen1',
    'To: <sip:svc@127.0.0.1>',
    'Call-ID: corpus-gen@127.0.0.1',
    `CSeq: 1 ${method}`,
    ...extra,
  ].join('\r\n') + '\r\n';

const manyHeaders = (n: number) => Buffer.from(head('OPTIONS', ['Content-Length: 0']) + 'a:b\r\n'.repeat(n) + '\r\n');

export const corpus: CorpusCase[] = [
  { name: 'bad CSeq', bytes: file('bad-cseq.sip'), udp: r(400, 'bad CSeq: abc OPTIONS'), tcp: r(400, 'bad CSeq: abc OPTIONS') },
  {
    name: 'CSeq method mismatch',
    bytes: file('cseq-method-mismatch.sip'),
    udp: r(400, 'CSeq method does not match request method'),
    tcp: r(400, 'CSeq method does not match request method'),
  },
  { name: 'missing Call-ID', bytes: file('missing-call-id.sip'), udp: r(400, 'missing Call-ID header'), tcp: r(400, 'missing Call-ID header') },
  { name: 'missing From and To', bytes: file('missing-from-and-to.sip'), udp: r(400, 'missing From header'), tcp: r(400, 'missing From header') },
  { name: 'missing Via', bytes: file('missing-via.sip'), udp: 'dropped', tcp: 'dropped' },
  { name: 'bad Via', bytes: file('bad-via.sip'), udp: r(400, 'bad Via: SIP/2.0/UDP'), tcp: r(400, 'bad Via: SIP/2.0/UDP') },
  { name: 'bad From', bytes: file('bad-from.sip'), udp: r(400, 'bad From: unterminated display name'), tcp: r(400, 'bad From: unterminated display name') },
  { name: 'bad Max-Forwards', bytes: file('bad-max-forwards.sip'), udp: r(400, 'bad Max-Forwards: lots'), tcp: r(400, 'bad Max-Forwards: lots') },
  { name: 'bad Request-URI', bytes: file('bad-request-uri.sip'), udp: r(400, 'bad Request-URI'), tcp: r(400, 'bad Request-URI') },
  { name: 'unknown SIP version', bytes: file('unknown-version.sip'), udp: r(505, 'SIP Version Not Supported'), tcp: r(505, 'SIP Version Not Supported') },
  { name: 'negative Content-Length', bytes: file('negative-content-length.sip'), udp: r(400, 'bad Content-Length: -5'), tcp: 'closed' },
  { name: 'non-numeric Content-Length', bytes: file('non-numeric-content-length.sip'), udp: r(400, 'bad Content-Length: ten'), tcp: 'closed' },
  { name: 'Content-Length beyond the body', bytes: file('content-length-too-large.sip'), udp: r(400, 'Content-Length 500 exceeds body (5 bytes)'), tcp: 'pending' },
  {
    name: 'two Content-Length headers',
    bytes: file('duplicate-content-length.sip'),
    udp: r(400, 'more than one Content-Length header'),
    tcp: r(400, 'more than one Content-Length header'),
  },
  {
    name: 'header line without a colon',
    bytes: file('header-without-colon.sip'),
    udp: r(400, 'bad header line: this line has no colon'),
    tcp: r(400, 'bad header line: this line has no colon'),
  },
  { name: 'truncated in the headers', bytes: file('truncated-headers.sip'), udp: r(400, 'bad header line: T'), tcp: 'pending' },
  { name: 'response with an overlarge status code', bytes: file('bad-status-code.sip'), udp: 'dropped', tcp: 'dropped' },
  { name: 'HTTP request', bytes: file('http-request.sip'), udp: 'dropped', tcp: 'closed' },
  { name: 'binary junk (4 KB)', bytes: junk(4096), udp: 'dropped', tcp: 'closed' },
  { name: 'long line without CRLF (40 KB)', bytes: Buffer.alloc(40_000, 'A'), udp: 'dropped', tcp: 'closed' },
  {
    name: 'oversize MESSAGE (40 KB body)',
    bytes: Buffer.from(head('MESSAGE', ['Content-Type: text/plain', 'Content-Length: 40000']) + '\r\n' + 'x'.repeat(40_000)),
    udp: 'dropped',
    tcp: 'closed',
  },
  { name: '10,000 headers', bytes: manyHeaders(10_000), udp: 'dropped', tcp: 'closed' },
  { name: '300 headers', bytes: manyHeaders(300), udp: r(400, 'too many headers (over 256)'), tcp: r(400, 'too many headers (over 256)') },
];

/** A well-formed request to prove the stack still answers after the corpus. */
export function validOptions(branch: string, transport: 'UDP' | 'TCP' = 'UDP'): Buffer {
  return Buffer.from(
    [
      'OPTIONS sip:svc@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/${transport} 127.0.0.1:5999;branch=${branch};rport`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=probe',
      'To: <sip:svc@127.0.0.1>',
      `Call-ID: ${branch}@probe`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}
