// The registrar's decisions, fed request objects shaped like drachtio-srf's.
// The same middleware runs against sip-core and real SIP traffic in
// test/integration/call-control/registrar.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeHa1Set, DigestAuthenticator } from '../../../services/call-control/auth/digest';
import { BanList } from '../../../services/call-control/registrar/ban-list';
import { LocationService } from '../../../services/call-control/registrar/location-service';
import { headerRows, isIpLiteral, registrar, type RegisterRequest } from '../../../services/call-control/registrar/registrar';
import { createLogger } from '../../../services/common/logger';

const DOMAIN = 'bank.example.ru';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function world() {
  let now = Date.UTC(2026, 10, 22, 1, 0, 0);
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ sink: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const users = new Map([
    ['201', { extension: '201', ha1: computeHa1Set('201', DOMAIN, 'pw201') }],
    ['alice', { extension: '202', ha1: computeHa1Set('alice', DOMAIN, 'pwA') }],
  ]);
  const location = new LocationService(() => now);
  const bans = new BanList({ now: () => now, log }, { maxFailures: 3, allow: [] });
  const mw = registrar({
    auth: new DigestAuthenticator({ now: () => now }),
    bans,
    tenantFor: (host) => (host === DOMAIN || isIpLiteral(host) ? { id: 1, sipDomain: DOMAIN } : undefined),
    credentials: (_t, u) => users.get(u),
    location,
    now: () => now,
    log,
  });
  let cseq = 1;
  function send(headers: Record<string, string>, source = '198.51.100.20') {
    const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const req: RegisterRequest = {
      method: 'REGISTER',
      get: (n) => lower.get(n.toLowerCase()),
      source_address: source,
      source_port: 5062,
      protocol: 'udp',
    };
    let out: { status: number; reason: string; headers: Record<string, string> } | undefined;
    mw(
      req,
      { send: (status, reason, opts) => (out = { status, reason, headers: opts.headers }) },
      () => (out = { status: 0, reason: 'next', headers: {} }),
    );
    return out!;
  }
  function register(
    o: {
      user?: string;
      pass?: string;
      aor?: string;
      contact?: string;
      expires?: string;
      callId?: string;
      source?: string;
      extra?: Record<string, string>;
    } = {},
  ) {
    const user = o.user ?? '201';
    const base = {
      To: `<sip:${o.aor ?? user}@${DOMAIN}>`,
      From: `<sip:${o.aor ?? user}@${DOMAIN}>;tag=1`,
      'Call-ID': o.callId ?? 'reg-1',
      ...(o.contact === '' ? {} : { Contact: o.contact ?? `<sip:${user}@10.0.0.5:5062>` }),
      ...(o.expires ? { Expires: o.expires } : {}),
      ...o.extra,
    };
    const first = send({ ...base, CSeq: `${cseq++} REGISTER` }, o.source);
    if (first.status !== 401) return first;
    const ch = first.headers['WWW-Authenticate']!;
    const nonce = /nonce="([^"]+)"/.exec(ch)![1]!;
    const uri = `sip:${DOMAIN}`;
    const response = md5(`${md5(`${user}:${DOMAIN}:${o.pass ?? 'pw' + user}`)}:${nonce}:00000001:cn:auth:${md5(`REGISTER:${uri}`)}`);
    return send(
      {
        ...base,
        CSeq: `${cseq++} REGISTER`,
        Authorization: `Digest username="${user}", realm="${DOMAIN}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="cn"`,
      },
      o.source,
    );
  }
  return { send, register, location, bans, lines, advance: (ms: number) => (now += ms) };
}

describe('registrar middleware', () => {
  it('challenges with one WWW-Authenticate row per algorithm, then registers with the stored HA1', () => {
    const w = world();
    const challenge = w.send({ To: `<sip:201@${DOMAIN}>`, 'Call-ID': 'x', CSeq: '1 REGISTER', Contact: '<sip:201@10.0.0.5>' });
    expect(challenge.status).toBe(401);
    const rows = `WWW-Authenticate: ${challenge.headers['WWW-Authenticate']}`.split('\r\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^WWW-Authenticate: Digest realm="bank\.example\.ru", nonce="[^"]+", qop="auth", algorithm=SHA-256$/);
    expect(rows[1]).toMatch(/^WWW-Authenticate: Digest .*algorithm=MD5$/);
    const ok = w.register({ expires: '600' });
    expect(ok.status).toBe(200);
    expect(ok.headers.Contact).toBe('<sip:201@10.0.0.5:5062>;expires=600');
    expect(ok.headers.Date).toBe('Sun, 22 Nov 2026 01:00:00 GMT');
    expect(w.location.lookup('1:201')).toMatchObject([
      { contact: 'sip:201@10.0.0.5:5062', source: { address: '198.51.100.20', port: 5062, transport: 'udp' } },
    ]);
  });

  it('passes other methods on', () => {
    const w = world();
    const mw = w.send;
    expect(mw).toBeTypeOf('function');
    let nextCalled = false;
    registrar({} as never)(
      { method: 'INVITE', get: () => undefined, source_address: '', source_port: 0, protocol: 'udp' },
      { send: () => undefined },
      () => (nextCalled = true),
    );
    expect(nextCalled).toBe(true);
  });

  it('clamps long expiry, refuses too short with Min-Expires, queries without Contact, unregisters', () => {
    const w = world();
    expect(w.register({ expires: '86400' }).headers.Contact).toBe('<sip:201@10.0.0.5:5062>;expires=3600');
    expect(w.register({ contact: '<sip:201@10.0.0.5:5062>;expires=10' })).toMatchObject({
      status: 423,
      reason: 'Interval Too Brief',
      headers: { 'Min-Expires': '60' },
    });
    expect(w.register({ contact: '' })).toMatchObject({ status: 200, headers: { Contact: '<sip:201@10.0.0.5:5062>;expires=3600' } });
    expect(w.register({ contact: '*' })).toMatchObject({ status: 400, reason: 'Contact * needs Expires: 0' });
    const gone = w.register({ contact: '*', expires: '0' });
    expect(gone.status).toBe(200);
    expect(gone.headers.Contact).toBeUndefined();
    expect(w.location.lookup('1:201')).toEqual([]);
  });

  it('logs a removal (Expires 0 or Contact *) as unregistered, an added binding as registered', () => {
    const w = world();
    const said = () =>
      w.lines.filter((l) => l.msg === 'registered' || l.msg === 'unregistered').map((l) => `${String(l.msg)}:${String(l.bindings)}`);
    w.register();
    w.register({ expires: '0' });
    w.register();
    w.register({ contact: '*', expires: '0' });
    expect(said()).toEqual(['registered:1', 'unregistered:0', 'registered:1', 'unregistered:0']);
  });

  it('lets a user register only its own extension, by number or by SIP username', () => {
    const w = world();
    expect(w.register({ user: 'alice', aor: '202', pass: 'pwA' }).status).toBe(200);
    expect(w.register({ user: 'alice', aor: 'alice', pass: 'pwA' }).status).toBe(200);
    expect(w.register({ user: 'alice', aor: '201', pass: 'pwA' })).toMatchObject({
      status: 403,
      reason: 'Not allowed to register this address',
    });
    expect(w.location.lookup('1:201')).toEqual([]);
  });

  it('answers unknown domains 404 and malformed requests 400', () => {
    const w = world();
    expect(w.send({ To: '<sip:201@other.example>', 'Call-ID': 'x', CSeq: '1 REGISTER' })).toMatchObject({ status: 404 });
    expect(w.send({ To: '<sip:201@10.1.2.3>', 'Call-ID': 'x', CSeq: '1 REGISTER' })).toMatchObject({ status: 401 });
    expect(w.send({ To: '<sip:201@x', 'Call-ID': 'x', CSeq: '1 REGISTER' })).toMatchObject({ status: 400, reason: 'missing >' });
    expect(w.send({ To: `<sip:201@${DOMAIN}>`, CSeq: '1 REGISTER' })).toMatchObject({
      status: 400,
      reason: 'Missing or malformed To, Call-ID or CSeq',
    });
    expect(w.send({ To: `<sip:201@${DOMAIN}>`, 'Call-ID': 'x', CSeq: '1 INVITE' })).toMatchObject({ status: 400 });
    expect(w.register({ contact: '<sip:201@10.0.0.5>;expires=abc' })).toMatchObject({ status: 400, reason: 'bad expires value abc' });
    expect(w.send({ To: `<sip:201@${DOMAIN}>`, 'Call-ID': 'x', CSeq: '1 REGISTER', Authorization: 'Digest username=201' })).toMatchObject({
      status: 400,
      reason: 'username must be a quoted string',
    });
    expect(w.location.lookup('1:201')).toEqual([]);
  });

  it('bans a source after repeated wrong passwords and answers it 403 without a challenge', () => {
    const w = world();
    expect(w.register({ pass: 'guess1' }).status).toBe(401);
    expect(w.register({ pass: 'guess2' }).status).toBe(401);
    expect(w.register({ pass: 'guess3' })).toMatchObject({ status: 403, reason: 'Forbidden' });
    expect(w.send({ To: `<sip:201@${DOMAIN}>`, 'Call-ID': 'x', CSeq: '9 REGISTER' })).toMatchObject({ status: 403 });
    expect(w.register({ source: '198.51.100.21' }).status).toBe(200); // another phone is not affected
    expect(w.bans.list().map((b) => [b.ip, b.lastUsername])).toEqual([['198.51.100.20', '201']]);
  });

  it('answers every request, however hostile, with a SIP status and never throws', async () => {
    const { randomBytes } = await import('node:crypto');
    const w = world();
    const pieces = [
      '<sip:201@bank.example.ru>',
      '<sip:201@',
      '"a,b" <sip:x@y>;expires=',
      '*',
      'Digest username="201", realm="bank.example.ru"',
      'Digest ',
      '1 REGISTER',
      '4294967296 REGISTER',
      '\r\n',
      '\0',
      ';;;',
      '=',
      '"',
    ];
    const junk = (i: number) =>
      i % 3 === 0
        ? randomBytes(i % 64).toString('latin1')
        : Array.from({ length: 1 + (i % 5) }, (_, j) => pieces[(i * 7 + j * 3) % pieces.length]).join('');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const r = w.send(
        {
          To: junk(i),
          'Call-ID': junk(i + 1),
          CSeq: i % 4 ? '1 REGISTER' : junk(i + 2),
          Contact: junk(i + 3),
          Expires: junk(i + 4),
          Authorization: junk(i + 5),
        },
        `198.51.100.${i % 200}`,
      );
      seen.add(r.status);
    }
    expect([...seen].every((s) => [400, 401, 403, 404].includes(s))).toBe(true);
  });

  it('does not ban a NAT’d office whose phones all answer with the previous boot’s nonce after a restart', () => {
    const w = world();
    const oldBoot = new DigestAuthenticator();
    const oldNonce = /nonce="([^"]+)"/.exec(oldBoot.challenge(DOMAIN).values[0]!)![1]!;
    for (let phone = 0; phone < 30; phone++) {
      const uri = `sip:${DOMAIN}`;
      const response = md5(`${md5(`201:${DOMAIN}:pw201`)}:${oldNonce}:00000007:cn:auth:${md5(`REGISTER:${uri}`)}`);
      const r = w.send(
        {
          To: `<sip:201@${DOMAIN}>`,
          'Call-ID': `p${phone}`,
          CSeq: '9 REGISTER',
          Contact: `<sip:201@10.0.0.${phone}>`,
          Authorization: `Digest username="201", realm="${DOMAIN}", nonce="${oldNonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000007, cnonce="cn"`,
        },
        '198.51.100.99',
      );
      expect(r.status).toBe(401);
    }
    expect(w.bans.list()).toEqual([]);
  });

  it('joins header rows the way SIP needs them', () => {
    expect(headerRows('WWW-Authenticate', ['a', 'b', 'c'])).toBe('a\r\nWWW-Authenticate: b\r\nWWW-Authenticate: c');
  });
});
