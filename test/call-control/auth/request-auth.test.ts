import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeHa1Set, DigestAuthenticator } from '../../../services/call-control/auth/digest';
import { authenticateRequest, type AuthRequest } from '../../../services/call-control/auth/request-auth';
import { BanList } from '../../../services/call-control/registrar/ban-list';
import { createLogger } from '../../../services/common/logger';

const DOMAIN = 'bank.example.ru';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function world() {
  const log = createLogger({ sink: () => undefined });
  const deps = {
    auth: new DigestAuthenticator(),
    bans: new BanList({ now: Date.now, log }, { maxFailures: 3, allow: [] }),
    tenantFor: (host: string) => (host === DOMAIN || host === '10.0.0.1' ? { id: 1, sipDomain: DOMAIN } : undefined),
    credentials: (_t: number, u: string) => (u === '201' ? { extension: '201', ha1: computeHa1Set('201', DOMAIN, 'pw') } : undefined),
    log,
  };
  const call = (headers: Record<string, string>, source = '192.0.2.50') => {
    const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const req: AuthRequest = { method: 'INVITE', get: (n) => lower.get(n.toLowerCase()), source_address: source };
    let answer: { status: number; reason: string; headers: Record<string, string> } | undefined;
    const caller = authenticateRequest(deps, req, { send: (status, reason, o) => (answer = { status, reason, headers: o.headers }) });
    return { caller, answer };
  };
  const credentialsFor = (challenge: string, user: string, pass: string, nc = '00000001') => {
    const row = challenge.split('\r\nProxy-Authenticate: ').find((r) => r.endsWith('algorithm=MD5'))!;
    const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
    const uri = 'sip:+74951234567@bank.example.ru';
    const response = md5(`${md5(`${user}:${DOMAIN}:${pass}`)}:${nonce}:${nc}:cc:auth:${md5(`INVITE:${uri}`)}`);
    return `Digest username="${user}", realm="${DOMAIN}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="cc"`;
  };
  return { call, credentialsFor, deps };
}

describe('authenticateRequest (INVITE from a phone)', () => {
  it('challenges with 407 and one Proxy-Authenticate row per algorithm, then returns the caller', () => {
    const w = world();
    const first = w.call({ From: `<sip:201@${DOMAIN}>;tag=a` });
    expect(first.caller).toBeUndefined();
    expect(first.answer?.status).toBe(407);
    expect(first.answer?.reason).toBe('Proxy Authentication Required');
    const rows = `Proxy-Authenticate: ${first.answer!.headers['Proxy-Authenticate']}`.split('\r\n');
    expect(rows.map((r) => r.replace(/nonce="[^"]+"/, 'nonce="N"'))).toEqual([
      `Proxy-Authenticate: Digest realm="${DOMAIN}", nonce="N", qop="auth", algorithm=SHA-256`,
      `Proxy-Authenticate: Digest realm="${DOMAIN}", nonce="N", qop="auth", algorithm=MD5`,
    ]);
    const second = w.call({ From: `"Reception" <sip:201@${DOMAIN}>;tag=a`, 'Proxy-Authorization': w.credentialsFor(first.answer!.headers['Proxy-Authenticate']!, '201', 'pw') });
    expect(second.answer).toBeUndefined();
    expect(second.caller).toEqual({ tenant: { id: 1, sipDomain: DOMAIN }, username: '201', extension: '201', algorithm: 'MD5' });
  });

  it('refuses a From that is not the authenticated extension (spoofed caller ID)', () => {
    const w = world();
    const ch = w.call({ From: `<sip:201@${DOMAIN}>;tag=a` }).answer!.headers['Proxy-Authenticate']!;
    expect(w.call({ From: `<sip:100@${DOMAIN}>;tag=a`, 'Proxy-Authorization': w.credentialsFor(ch, '201', 'pw') }).answer).toMatchObject({ status: 403, reason: 'From does not match the credentials' });
  });

  it('uses the default tenant for an IP-literal From, refuses unknown domains, answers bad headers 400', () => {
    const w = world();
    expect(w.call({ From: '<sip:201@10.0.0.1>;tag=a' }).answer?.headers['Proxy-Authenticate']).toContain(`realm="${DOMAIN}"`);
    expect(w.call({ From: '<sip:201@evil.example>;tag=a' }).answer).toMatchObject({ status: 403, reason: 'Domain not served here' });
    expect(w.call({}).answer).toMatchObject({ status: 400, reason: 'Missing From' });
    expect(w.call({ From: '<sip:201@x' }).answer).toMatchObject({ status: 400, reason: 'missing >' });
    expect(w.call({ From: `<sip:201@${DOMAIN}>`, 'Proxy-Authorization': 'Digest username=201' }).answer).toMatchObject({ status: 400, reason: 'username must be a quoted string' });
  });

  it('bans a toll-fraud scanner after repeated wrong passwords', () => {
    const w = world();
    const ch = w.call({ From: `<sip:201@${DOMAIN}>;tag=a` }, '203.0.113.66').answer!.headers['Proxy-Authenticate']!;
    const statuses = ['1', '2', '3'].map((guess, i) => w.call({ From: `<sip:201@${DOMAIN}>`, 'Proxy-Authorization': w.credentialsFor(ch, '201', guess, `0000000${i + 1}`) }, '203.0.113.66').answer?.status);
    expect(statuses).toEqual([407, 407, 403]);
    expect(w.call({ From: `<sip:201@${DOMAIN}>` }, '203.0.113.66').answer?.status).toBe(403);
    expect(w.deps.bans.list().map((b) => b.ip)).toEqual(['203.0.113.66']);
  });
});
