// Seeded generators of hostile SIP and HTTP input for the fuzz job
// (sip-http-fuzz.test.ts). Deterministic from one seed, so a failure names
// the seed that reproduces it. Loopback only by construction: mutations never
// touch the lines that say where a reply or request goes (Via, Contact,
// Route, Record-Route, the Request-URI) and no token below names an address
// outside 127.0.0.0/8, so nothing the box answers can leave the machine.

/** mulberry32: a small, well-known 32-bit PRNG; good enough to pick mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** Values that broke parsers somewhere: overlong, unterminated, numeric edges, escapes, control bytes, odd Unicode. */
export const NASTY = [
  '',
  ' ',
  '\t',
  '-1',
  '0',
  '4294967296',
  '99999999999999999999999999',
  '1e309',
  'NaN',
  '0x7fffffff',
  '"unterminated',
  '<<<<>>>>',
  '<sip:>',
  'sip:@',
  'sip:[::1',
  'sips:%00@127.0.0.1',
  ';;;;;;;;',
  ',,,,,,,,',
  '=====',
  '%',
  '%zz%E0%A4%A',
  '\u0000',
  '\u0007\u0008\u001b[31m',
  '\u202e\u0644\u0645',
  '\ud83d\ude00'.repeat(50),
  'Digest',
  'Digest username="a", realm=, nonce="""',
  'Digest ' + 'x=y,'.repeat(2000),
  'a'.repeat(70_000),
  'b'.repeat(1500),
  'application/sdp; charset=\u00ff',
  '\r\n \r\n',
  ' folded\r\n continuation',
];

const METHODS = ['INVITE', 'REGISTER', 'OPTIONS', 'BYE', 'CANCEL', 'ACK', 'SUBSCRIBE', 'NOTIFY', 'MESSAGE', 'INFO', 'REFER', 'PRACK', 'UPDATE', 'PUBLISH', 'FOO', 'invite', 'INV\u0000ITE'];
/** Lines a mutation must leave alone: they decide where answers go. */
const ROUTING = /^(via|v|contact|m|route|record-route)\s*:/i;

export function sipSeed(g: Gen, o: { local: string; port: number; target: string; domain: string }): string {
  const method = g.pick(['INVITE', 'REGISTER', 'OPTIONS', 'BYE', 'SUBSCRIBE', 'NOTIFY', 'MESSAGE', 'INFO', 'CANCEL', 'ACK']);
  const tag = g.int(1e9).toString(36);
  const callId = `fz${g.int(1e12).toString(36)}`;
  const sdp = ['v=0', `o=fz 1 1 IN IP4 ${o.local}`, 's=-', `c=IN IP4 ${o.local}`, 't=0 0', 'm=audio 9 RTP/AVP 0 8 101', 'a=rtpmap:101 telephone-event/8000', ''].join('\r\n');
  const body = method === 'INVITE' || method === 'MESSAGE' ? sdp : '';
  const user = g.pick(['201', '301', 'admin', '84957654321', '+74951234567', '*1', '']);
  return [
    `${method} sip:${user}@${o.target} SIP/2.0`,
    `Via: SIP/2.0/UDP ${o.local}:${o.port};branch=z9hG4bK${g.int(1e12).toString(36)};rport`,
    'Max-Forwards: 70',
    `From: <sip:${user || 'x'}@${o.domain}>;tag=${tag}`,
    `To: <sip:${user || 'x'}@${o.domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${1 + g.int(5)} ${method}`,
    `Contact: <sip:${user || 'x'}@${o.local}:${o.port}>`,
    ...(method === 'SUBSCRIBE' || method === 'NOTIFY' ? ['Event: message-summary', 'Expires: 60'] : []),
    ...(method === 'REGISTER' && g.chance(0.5) ? ['Authorization: Digest username="301", realm="x", nonce="abc", uri="sip:x", response="0123"'] : []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** One to four mutations of a well-formed message; or, now and then, pure noise. */
export function mutateSip(g: Gen, message: string): Buffer {
  if (g.chance(0.03)) return g.bytes(g.int(1500));
  if (g.chance(0.02)) return Buffer.from(g.pick(['\r\n\r\n', '\r\n', '', 'SIP/2.0 200 OK\r\n\r\n', 'SIP/2.0 999 \r\nVia: SIP/2.0/UDP 127.0.0.1:9\r\n\r\n']));
  const [head = '', ...rest] = message.split('\r\n\r\n');
  const lines = head.split('\r\n');
  let body = rest.join('\r\n\r\n');
  const free = () => {
    const idx = lines.map((l, i) => (i > 0 && !ROUTING.test(l) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? g.pick(idx) : -1;
  };
  for (let n = 1 + g.int(4); n > 0; n--) {
    const i = free();
    switch (g.int(11)) {
      case 0: // a header's value replaced
        if (i > 0) lines[i] = `${lines[i]!.split(':')[0]}: ${g.pick(NASTY)}`;
        break;
      case 1: // a header dropped (Call-ID, CSeq, From, To, Max-Forwards, Content-Length …)
        if (i > 0) lines.splice(i, 1);
        break;
      case 2: // a header repeated many times
        if (i > 0) lines.splice(i, 0, ...Array<string>(1 + g.int(200)).fill(lines[i]!));
        break;
      case 3: // a new header with an odd name
        lines.splice(1 + g.int(lines.length - 1), 0, `${g.pick(['X-Fz', 'Content-Length', 'l', 'CSeq', 'Expires', 'Require', 'Session-Expires', 'Max-Forwards', 'Authorization', 'Proxy-Authorization', 'Event', 'Replaces', 'Refer-To', 'Supported', ' ', 'A'.repeat(300)])}: ${g.pick(NASTY)}`);
        break;
      case 4: // the method
        lines[0] = lines[0]!.replace(/^\S+/, g.pick(METHODS));
        break;
      case 5: // the version
        lines[0] = lines[0]!.replace(/SIP\/2\.0$/, g.pick(['SIP/2.1', 'SIP/', 'HTTP/1.1', '', 'SIP/2.0 extra']));
        break;
      case 6: // Content-Length that lies
        for (let k = 1; k < lines.length; k++) if (/^(content-length|l)\s*:/i.test(lines[k]!)) lines[k] = `Content-Length: ${g.pick(['0', '1', '99999', '-5', 'abc', String(body.length + 1 + g.int(50))])}`;
        break;
      case 7: // the body replaced
        body = g.chance(0.5) ? g.bytes(g.int(800)).toString('latin1') : `v=0\r\nm=audio ${g.pick(NASTY)} RTP/AVP ${g.pick(NASTY)}\r\nc=IN IP4 ${g.pick(['127.0.0.1', '', '::1', 'x'])}\r\n`;
        break;
      case 8: // header names in odd case or compact form
        if (i > 0) lines[i] = lines[i]!.replace(/^[^:]+/, (name) => (g.chance(0.5) ? name.toUpperCase() : name.toLowerCase()));
        break;
      case 9: // a byte flipped outside the routing lines
        if (i > 0 && lines[i]!.length > 0) {
          const s = lines[i]!;
          const at = g.int(s.length);
          lines[i] = s.slice(0, at) + String.fromCharCode(g.int(256)) + s.slice(at + 1);
        }
        break;
      default: // truncated anywhere
        return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`.slice(0, g.int(message.length)), 'latin1');
    }
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

const PATHS = ['/', '/api/health', '/api/auth/login', '/api/auth/me', '/api/auth/password', '/api/live', '/api/extensions', '/api/extensions/1', '/api/extensions/import', '/api/trunks', '/api/trunks/1', '/api/dids', '/api/users', '/api/tenants', '/api/cdrs', '/api/cdrs/export', '/api/recordings', '/api/recordings/x/audio', '/api/license', '/api/branding/logo', '/api/call-flows', '/api/queues', '/api/contacts', '/api/audit', '/api/sip-settings', '/api/bans', '/api/backups', '/api/prompts', '/api/voicemail', '/api/live-calls', '/ui/', '/index.html', '/assets/app.js'];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE', 'G\u0000T', 'CONNECT', ''];

function junkJson(g: Gen, depth = 0): unknown {
  const k = g.int(depth > 6 ? 4 : 7);
  if (k === 0) return g.pick(NASTY);
  if (k === 1) return g.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 3.14]);
  if (k === 2) return g.pick([true, false, null]);
  if (k === 3) return g.int(1000);
  if (k === 4) return Array.from({ length: g.int(5) }, () => junkJson(g, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = g.int(6); i > 0; i--) o[g.pick(['__proto__', 'constructor', 'prototype', 'name', 'extension', 'password', 'tenantId', 'kind', 'addresses', 'members', 'destination', 'number', g.pick(NASTY).slice(0, 40)])] = junkJson(g, depth + 1);
  return o;
}

/** One raw HTTP/1.1 request: odd methods, paths, headers, bodies and framing. */
export function httpRequest(g: Gen, cookie: string): Buffer {
  const method = g.pick(HTTP_METHODS);
  let target = g.pick(PATHS);
  if (g.chance(0.3)) target += g.pick(['/..', '/%2e%2e/%2e%2e/etc/passwd', '//', '?' + 'a=1&'.repeat(g.int(500)), '%', '%E0%A4%A', '/' + 'x'.repeat(g.int(9000)), '?limit=-1&offset=1e9', '?tenantId=0x1', '\u0000']);
  if (g.chance(0.05)) target = g.pick(['*', '//[', 'http://[::1', 'https://127.0.0.1/', '']);
  let body = '';
  if (g.chance(0.6)) {
    const json = junkJson(g);
    body = g.chance(0.15) ? JSON.stringify(json).slice(0, g.int(40)) : JSON.stringify(json);
    if (g.chance(0.05)) body = '['.repeat(5000) + ']'.repeat(5000);
  }
  const headers = ['Host: localhost', 'Connection: close'];
  if (g.chance(0.7)) headers.push(`Cookie: ${g.chance(0.7) ? cookie : g.pick(NASTY).slice(0, 2000)}`);
  if (g.chance(0.5)) headers.push(`Origin: ${g.pick(['https://localhost', 'null', 'http://[', 'https://evil.invalid'])}`);
  if (g.chance(0.3)) headers.push(`X-CSRF-Token: ${g.pick(NASTY).slice(0, 100)}`);
  if (g.chance(0.3)) headers.push(`X-Korobka-Tenant: ${g.pick(NASTY).slice(0, 100)}`);
  if (g.chance(0.2)) headers.push(`Range: ${g.pick(['bytes=0-', 'bytes=-1', 'bytes=99999999999-', 'bytes=0-1,2-3,' + '4-5,'.repeat(500), 'items=1'])}`);
  if (g.chance(0.1)) headers.push(...Array<string>(g.int(300)).fill('X-Fz: a'));
  const type = g.pick(['application/json', 'application/json; charset=utf-16', 'text/csv', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', '', 'image/svg+xml']);
  if (body && type) headers.push(`Content-Type: ${type}`);
  const chunked = body && g.chance(0.15);
  if (chunked) headers.push('Transfer-Encoding: chunked');
  else if (body) headers.push(`Content-Length: ${g.chance(0.1) ? g.pick(['-1', '99999999', 'abc', String(body.length + 7)]) : Buffer.byteLength(body)}`);
  const framed = chunked ? `${g.chance(0.5) ? Buffer.byteLength(body).toString(16) : g.pick(['zz', 'ffffffffffff', '-1'])}\r\n${body}\r\n0\r\n\r\n` : body;
  return Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${framed}`, 'utf8');
}
