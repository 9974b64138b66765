import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeHa1,
  computeHa1Set,
  DigestAuthenticator,
  expectedResponse,
  type Ha1Set,
  type VerifyResult,
} from '../../../services/call-control/auth/digest';

// Independent reference: the RFC 7616 §3.4.1 formula written out with node:crypto.
const H = (alg: 'md5' | 'sha256', s: string) => createHash(alg).update(s).digest('hex');
function clientResponse(a: { alg: 'md5' | 'sha256'; user: string; realm: string; pass: string; method: string; uri: string; nonce: string; nc: string; cnonce: string }): string {
  const ha1 = H(a.alg, `${a.user}:${a.realm}:${a.pass}`);
  const ha2 = H(a.alg, `${a.method}:${a.uri}`);
  return H(a.alg, `${ha1}:${a.nonce}:${a.nc}:${a.cnonce}:auth:${ha2}`);
}

const REALM = 'bank.example.ru';
const USER = '201';
const PASS = 'Tr0ub4dor&3';

function nonceOf(challengeValue: string): string {
  const m = /nonce="([^"]+)"/.exec(challengeValue);
  if (!m?.[1]) throw new Error('no nonce in ' + challengeValue);
  return m[1];
}

function authHeader(o: { nonce: string; nc?: string; alg?: 'MD5' | 'SHA-256'; pass?: string; user?: string; method?: string; realm?: string; cnonce?: string }): string {
  const alg = o.alg ?? 'SHA-256';
  const nc = o.nc ?? '00000001';
  const cnonce = o.cnonce ?? 'c0ffee42';
  const uri = `sip:${REALM}`;
  const response = clientResponse({
    alg: alg === 'MD5' ? 'md5' : 'sha256',
    user: o.user ?? USER,
    realm: o.realm ?? REALM,
    pass: o.pass ?? PASS,
    method: o.method ?? 'REGISTER',
    uri,
    nonce: o.nonce,
    nc,
    cnonce,
  });
  return `Digest username="${o.user ?? USER}", realm="${o.realm ?? REALM}", nonce="${o.nonce}", uri="${uri}", response="${response}", algorithm=${alg}, cnonce="${cnonce}", qop=auth, nc=${nc}`;
}

function world(opts: { ttl?: number } = {}) {
  let now = Date.UTC(2026, 10, 22, 1, 0, 0);
  const users = new Map<string, Ha1Set>([[USER, computeHa1Set(USER, REALM, PASS)]]);
  const auth = new DigestAuthenticator({ secret: randomBytes(32), nonceTtlSeconds: opts.ttl ?? 300, now: () => now });
  const verify = (authorization: string | undefined, method = 'REGISTER'): VerifyResult =>
    auth.verify({ method, authorization, realm: REALM, lookup: (u, r) => (r === REALM ? users.get(u) : undefined) });
  return { auth, verify, advance: (ms: number) => (now += ms) };
}

describe('HA1 and response computation', () => {
  it('matches RFC 7616 §3.9.1 for MD5 and SHA-256', () => {
    const c = {
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      nc: '00000001',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      uri: '/dir/index.html',
    };
    const realm = 'http-auth@example.org';
    const md5 = expectedResponse({ ...c, algorithm: 'MD5' }, computeHa1('MD5', 'Mufasa', realm, 'Circle of Life'), 'GET');
    const sha = expectedResponse({ ...c, algorithm: 'SHA-256' }, computeHa1('SHA-256', 'Mufasa', realm, 'Circle of Life'), 'GET');
    expect(md5).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(sha).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('stores HA1 per algorithm, matching an independent computation', () => {
    const set = computeHa1Set('100', 'pbx.local', 'secret');
    expect(set.MD5).toBe(H('md5', '100:pbx.local:secret'));
    expect(set['SHA-256']).toBe(H('sha256', '100:pbx.local:secret'));
  });
});

describe('challenge', () => {
  it('offers SHA-256 then MD5 with qop=auth and the tenant realm', () => {
    const { auth } = world();
    const ch = auth.challenge(REALM);
    expect(ch.status).toBe(401);
    expect(ch.header).toBe('WWW-Authenticate');
    expect(ch.values).toHaveLength(2);
    expect(ch.values[0]).toMatch(/^Digest realm="bank\.example\.ru", nonce="[A-Za-z0-9_-]{40}", qop="auth", algorithm=SHA-256$/);
    expect(ch.values[1]).toMatch(/algorithm=MD5$/);
    expect(nonceOf(ch.values[0]!)).toBe(nonceOf(ch.values[1]!));
  });

  it('uses Proxy-Authenticate/407 for proxy challenges and marks stale', () => {
    const { auth } = world();
    const ch = auth.challenge(REALM, { proxy: true, stale: true });
    expect(ch.status).toBe(407);
    expect(ch.header).toBe('Proxy-Authenticate');
    expect(ch.values.every((v) => v.endsWith(', stale=true'))).toBe(true);
  });

  it('offers only and in the order configured, and refuses an algorithm not offered', () => {
    const auth = new DigestAuthenticator({ algorithms: ['MD5'] });
    const ch = auth.challenge(REALM);
    expect(ch.values).toHaveLength(1);
    expect(ch.values[0]).toMatch(/algorithm=MD5$/);
    const nonce = nonceOf(ch.values[0]!);
    const users = (u: string) => (u === USER ? computeHa1Set(USER, REALM, PASS) : undefined);
    expect(auth.verify({ method: 'REGISTER', authorization: authHeader({ nonce, alg: 'MD5' }), realm: REALM, lookup: users })).toMatchObject({ ok: true });
    expect(auth.verify({ method: 'REGISTER', authorization: authHeader({ nonce, alg: 'SHA-256', nc: '00000002' }), realm: REALM, lookup: users })).toMatchObject({
      ok: false,
      status: 400,
      code: 'digest-algorithm-unsupported',
      message: 'algorithm SHA-256 is not offered',
    });
    expect(new DigestAuthenticator({ algorithms: ['MD5', 'SHA-256'] }).challenge(REALM).values.map((v) => v.split('algorithm=')[1])).toEqual(['MD5', 'SHA-256']);
    expect(() => new DigestAuthenticator({ algorithms: [] })).toThrow(RangeError);
    expect(() => new DigestAuthenticator({ algorithms: ['SHA-1' as 'MD5'] })).toThrow(RangeError);
  });

  it('escapes a quote in the realm', () => {
    const { auth } = world();
    expect(auth.challenge('a"b\\c').values[0]).toContain('realm="a\\"b\\\\c"');
  });

  it('gives a different nonce on every challenge', () => {
    const { auth } = world();
    const seen = new Set(Array.from({ length: 200 }, () => nonceOf(auth.challenge(REALM).values[0]!)));
    expect(seen.size).toBe(200);
  });
});

describe('verify', () => {
  it('accepts SHA-256 and MD5 answers computed by an independent client', () => {
    const { auth, verify } = world();
    for (const alg of ['SHA-256', 'MD5'] as const) {
      const nonce = nonceOf(auth.challenge(REALM).values[0]!);
      expect(verify(authHeader({ nonce, alg }))).toEqual({ ok: true, username: USER, algorithm: alg });
    }
  });

  it('treats a missing algorithm as MD5 (RFC 7616 §3.4)', () => {
    const { auth, verify } = world();
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    const h = authHeader({ nonce, alg: 'MD5' }).replace(', algorithm=MD5', '');
    expect(verify(h)).toMatchObject({ ok: true, algorithm: 'MD5' });
  });

  it('binds the answer to the method', () => {
    const { auth, verify } = world();
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    expect(verify(authHeader({ nonce, method: 'INVITE' }), 'REGISTER')).toMatchObject({ ok: false, status: 401, code: 'digest-response-mismatch', countsAsFailure: true });
  });

  it('asks for credentials without counting a failure when none were sent', () => {
    const { verify } = world();
    expect(verify(undefined)).toMatchObject({ ok: false, status: 401, code: 'digest-header-missing', countsAsFailure: false });
  });

  it('rejects a wrong password and an unknown user alike (401) but with distinct codes', () => {
    const { auth, verify } = world();
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    expect(verify(authHeader({ nonce, pass: 'guess' }))).toMatchObject({ ok: false, status: 401, code: 'digest-response-mismatch', stale: false });
    expect(verify(authHeader({ nonce, user: '999' }))).toMatchObject({ ok: false, status: 401, code: 'digest-user-unknown', stale: false });
  });

  it('refuses a replayed nc and accepts the next one, also out of order', () => {
    const { auth, verify } = world();
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    expect(verify(authHeader({ nonce, nc: '00000001' })).ok).toBe(true);
    expect(verify(authHeader({ nonce, nc: '00000001' }))).toMatchObject({ ok: false, code: 'digest-nc-replay', countsAsFailure: true });
    expect(verify(authHeader({ nonce, nc: '00000003' })).ok).toBe(true);
    expect(verify(authHeader({ nonce, nc: '00000002' })).ok).toBe(true);
    expect(verify(authHeader({ nonce, nc: '00000003' })).ok).toBe(false);
  });

  it('answers an expired nonce with a correct digest as stale, a wrong digest as plain failure', () => {
    const { auth, verify, advance } = world({ ttl: 60 });
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    advance(61_000);
    expect(verify(authHeader({ nonce }))).toMatchObject({ ok: false, status: 401, code: 'digest-nonce-stale', stale: true, countsAsFailure: false });
    expect(verify(authHeader({ nonce, pass: 'x' }))).toMatchObject({ ok: false, code: 'digest-response-mismatch', stale: false });
  });

  it('refuses a nonce from another realm, another boot, or a forged one', () => {
    const a = world();
    const b = world();
    const otherRealm = nonceOf(a.auth.challenge('other.example').values[0]!);
    expect(a.verify(authHeader({ nonce: otherRealm }))).toMatchObject({ code: 'digest-nonce-invalid' });
    const otherBoot = nonceOf(b.auth.challenge(REALM).values[0]!);
    expect(a.verify(authHeader({ nonce: otherBoot }))).toMatchObject({ code: 'digest-nonce-invalid' });
    const good = nonceOf(a.auth.challenge(REALM).values[0]!);
    const forged = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    // A previous boot's nonce is what every phone sends after a restart: a new challenge, not a strike.
    expect(a.verify(authHeader({ nonce: forged }))).toMatchObject({ code: 'digest-nonce-invalid', countsAsFailure: false, stale: false });
    expect(a.verify(authHeader({ nonce: 'abc' }))).toMatchObject({ code: 'digest-nonce-invalid' });
  });

  it('binds a nonce to the address it was issued to: a wrong answer counts only from there', () => {
    const { auth } = world();
    const users = new Map<string, Ha1Set>([[USER, computeHa1Set(USER, REALM, PASS)]]);
    const verifyFrom = (source: string, authorization: string) => auth.verify({ method: 'REGISTER', authorization, realm: REALM, source, lookup: (u) => users.get(u) });
    const nonce = nonceOf(auth.challenge(REALM, { source: '192.0.2.10' }).values[0]!);
    expect(verifyFrom('192.0.2.10', authHeader({ nonce })).ok).toBe(true);
    expect(verifyFrom('192.0.2.10', authHeader({ nonce, pass: 'guess', nc: '00000002' }))).toMatchObject({ code: 'digest-response-mismatch', countsAsFailure: true });
    // The same nonce replayed from another (spoofed) address: invalid there, and no strike against it.
    expect(verifyFrom('192.0.2.99', authHeader({ nonce, pass: 'guess', nc: '00000003' }))).toMatchObject({ code: 'digest-nonce-invalid', countsAsFailure: false });
    expect(verifyFrom('192.0.2.99', authHeader({ nonce, nc: '00000004' }))).toMatchObject({ code: 'digest-nonce-invalid' });
  });

  it('picks the credentials of its realm among several', () => {
    const { auth, verify } = world();
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    const foreign = `Digest username="x", realm="carrier.example", nonce="n", uri="sip:x", response="${'0'.repeat(32)}", qop=auth, nc=00000001, cnonce="c"`;
    expect(verify(`${foreign}, ${authHeader({ nonce })}`)).toMatchObject({ ok: true });
    expect(verify(foreign)).toMatchObject({ ok: false, status: 401, code: 'digest-realm-mismatch' });
  });

  it('accepts quoted algorithm/qop values and tabs, as some phones send them', () => {
    const { auth, verify } = world();
    const nonce = nonceOf(auth.challenge(REALM).values[0]!);
    const h = authHeader({ nonce }).replace('algorithm=SHA-256', 'algorithm="SHA-256"').replace('qop=auth', 'qop="auth"').replace(/, /g, ',\t');
    expect(verify(h).ok).toBe(true);
  });
});

describe('hostile Authorization headers', () => {
  const { auth, verify } = world();
  const nonce = nonceOf(auth.challenge(REALM).values[0]!);
  const good = authHeader({ nonce, nc: '000000ff' });
  const cases: Array<[string, string, string, string]> = [
    ['Basic scheme', 'Basic MjAxOnBhc3M=', 'digest-scheme-unsupported', 'scheme Basic is not accepted, only Digest'],
    ['unquoted username', good.replace(`username="${USER}"`, `username=${USER}`), 'digest-param-not-quoted', 'username must be a quoted string'],
    ['unquoted nonce', good.replace(`nonce="${nonce}"`, `nonce=${nonce}`), 'digest-param-not-quoted', 'nonce must be a quoted string'],
    ['duplicate response', good + ', response="00"', 'digest-duplicate-param', 'response appears more than once'],
    ['duplicate differing case', good + ', USERNAME="202"', 'digest-duplicate-param', 'username appears more than once'],
    ['huge header', good + ', x="' + 'a'.repeat(5000) + '"', 'digest-header-too-long', 'the header is longer than 4096 characters'],
    ['huge value', `Digest username="${'u'.repeat(1100)}"`, 'digest-value-too-long', 'a value is longer than 1024 characters'],
    ['huge token', `Digest nc=${'1'.repeat(1100)}`, 'digest-value-too-long', 'nc is longer than 1024 characters'],
    ['too many params', 'Digest ' + Array.from({ length: 30 }, (_, i) => `p${i}=1`).join(', '), 'digest-too-many-params', 'more than 24 parameters'],
    ['unterminated quote', 'Digest username="201', 'digest-syntax', 'unterminated quoted string at character 21'],
    ['missing equals', 'Digest username "201"', 'digest-syntax', 'expected "=" after username at character 17'],
    ['CR LF injection', 'Digest username="2\r\n01"', 'digest-syntax', 'control character in value at character 19'],
    ['NUL byte', 'Digest username="2\u000001"', 'digest-syntax', 'control character in value at character 19'],
    ['garbage after value', 'Digest username="201" realm="x"', 'digest-syntax', 'expected "," at character 23'],
    ['scheme only', 'Digest', 'digest-syntax', 'expected a space after the scheme at character 7'],
    ['missing response', good.replace(/response="[0-9a-f]+", /, ''), 'digest-param-missing', 'response is missing'],
    ['missing qop', good.replace(', qop=auth', ''), 'digest-param-missing', 'qop is missing (qop=auth is required)'],
    ['auth-int', good.replace('qop=auth', 'qop=auth-int'), 'digest-qop-unsupported', 'qop auth-int is not offered'],
    ['MD5-sess', good.replace('algorithm=SHA-256', 'algorithm=MD5-sess'), 'digest-algorithm-unsupported', 'algorithm MD5-sess is not offered'],
    ['SHA-512-256', good.replace('algorithm=SHA-256', 'algorithm=SHA-512-256'), 'digest-algorithm-unsupported', 'algorithm SHA-512-256 is not offered'],
    ['short nc', good.replace('nc=000000ff', 'nc=1'), 'digest-param-invalid', 'nc must be 8 hexadecimal digits'],
    ['non-hex response', good.replace(/response="[0-9a-f]+"/, 'response="zz"'), 'digest-param-invalid', 'response must be 64 hexadecimal digits for SHA-256'],
    ['MD5-length response with SHA-256', good.replace(/response="[0-9a-f]+"/, `response="${'a'.repeat(32)}"`), 'digest-param-invalid', 'response must be 64 hexadecimal digits for SHA-256'],
    ['userhash', good + ', userhash=true', 'digest-userhash-unsupported', 'username* and userhash are not offered'],
    ['too many credentials', Array.from({ length: 5 }, () => 'Digest a="b"').join(', '), 'digest-too-many-credentials', 'more than 4 credentials'],
  ];
  it.each(cases)('%s → %s', (_name, header, code, message) => {
    const r = verify(header);
    // Issue 16 item 3: unparsable or unusable credentials prove nothing about the sender (a
    // spoofed datagram can carry them), so they never count toward a ban.
    expect(r).toMatchObject({ ok: false, code, message, countsAsFailure: false });
  });

  it('answers malformed input 400 and realm problems 401', () => {
    expect(verify('Digest username=201')).toMatchObject({ status: 400 });
    expect(verify(good.replace(`realm="${REALM}"`, 'realm="evil"'))).toMatchObject({ status: 401, code: 'digest-realm-mismatch' });
  });

  it('still accepts the good header after all that abuse', () => {
    expect(verify(good)).toMatchObject({ ok: true });
  });

  it('survives random bytes without throwing', () => {
    for (let i = 0; i < 2000; i++) {
      const junk = 'Digest ' + randomBytes(1 + (i % 200)).toString('latin1');
      const r = verify(junk);
      expect(r.ok).toBe(false);
    }
  });
});
