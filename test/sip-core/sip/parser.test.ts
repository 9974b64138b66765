import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../services/sip-core/sip/parser';
import { createResponse, serializeMessage } from '../../../services/sip-core/sip/serializer';
import { ParseError } from '../../../services/sip-core/sip/parse-error';
import { SipRequest, type SipMessage } from '../../../services/sip-core/sip/message';
import { crlf, invalidFixtures, validFixtures } from './fixtures/torture';

const parseError = (raw: Buffer, opts = {}): ParseError => {
  try {
    parseMessage(raw, opts);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('parsed without error');
};

const req = (m: SipMessage): SipRequest => {
  if (!(m instanceof SipRequest)) throw new Error('expected a request');
  return m;
};

describe('parseMessage: valid messages', () => {
  it.each(validFixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const msg = parseMessage(f.raw);
    // Every valid message survives a serialize/parse round trip with the same meaning.
    const again = parseMessage(serializeMessage(msg));
    const withoutLength = (m: SipMessage) => m.headers.entries().filter((e) => e.name !== 'Content-Length');
    expect(withoutLength(again)).toEqual(withoutLength(msg));
    expect(again.get('content-length')).toBe(String(msg.body.length));
    expect(again.body.equals(msg.body)).toBe(true);
  });

  it('reads the tortuous INVITE (RFC 4475 §3.1.1.1) the way the RFC explains it', () => {
    const f = validFixtures.find((x) => x.ref.includes('wsinv'))!;
    const m = req(parseMessage(f.raw));
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
    expect(m.to.uriText).toBe('sip:vivekg@chair-dnrc.example.com');
    expect(m.to.tag).toBe('1918181833n');
    expect(m.from.displayName).toBe('J Rosenberg \\"');
    expect(m.from.tag).toBe('98asjd8');
    expect(m.maxForwards).toBe(68);
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(m.get('s')).toBe('');
    expect(m.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    const [contact] = m.contacts;
    expect(contact?.displayName).toBe('Quoted string ""');
    expect(contact?.params.get('newparam')).toBe('newvalue');
    expect(contact?.params.get('secondparam')).toBeNull();
    expect(contact?.params.get('q')).toBe('0.33');
    expect(m.contentType).toBe('application/sdp');
    expect(m.body.toString()).toMatch(/^v=0\r\n/);
  });

  it('expands compact forms and keeps list headers as separate entries', () => {
    const f = validFixtures.find((x) => x.ref.startsWith('RFC 3665 §3.2'))!;
    const m = parseMessage(f.raw);
    expect(m.getAll('record-route')).toEqual(['<sip:ss1.example.com;lr>', '<sip:ss2.example.com;lr>']);
    expect(m.headers.entries().map((e) => e.name)).toContain('Contact');
    expect(m.contacts[0]?.uri?.params.get('transport')).toBe('tcp');
    expect(m.vias[1]?.received).toBe('192.0.2.101');
  });

  it('keeps commas inside Authorization and reads a sips: Request-URI and Contact', () => {
    const f = validFixtures.find((x) => x.ref.startsWith('RFC 3665 §2.1'))!;
    const m = req(parseMessage(f.raw));
    expect(m.getAll('authorization')).toHaveLength(1);
    expect(m.get('authorization')).toMatch(/^Digest username="bob", realm="atlanta.example.com", nonce=/);
    expect(m.contacts[0]?.uri).toMatchObject({ scheme: 'sips', user: 'bob', host: 'client.biloxi.example.com' });
    expect(m.topVia).toMatchObject({ transport: 'TLS', port: 5061 });
    const ok = parseMessage(validFixtures.find((x) => x.ref === 'sipp uas scenario')!.raw);
    expect(ok).toMatchObject({ status: 200, reason: 'OK' });
    expect(ok.to.tag).toBe('31337SIPpTag011');
    expect(ok.contacts[0]?.uri?.params.get('transport')).toBe('UDP');
  });

  it('counts Content-Length in bytes and keeps binary bodies intact', () => {
    const f = validFixtures.find((x) => x.ref.includes('mpart01'))!;
    const m = parseMessage(f.raw);
    expect(m.body.includes(Buffer.from([0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x00, 0xff]))).toBe(true);
    const utf8 = crlf(['MESSAGE sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:b@example.com>;tag=1', 'To: <sip:a@example.com>', 'Call-ID: c1', 'CSeq: 1 MESSAGE', 'Content-Type: text/plain', `Content-Length: ${Buffer.byteLength('привет')}`], 'привет');
    expect(parseMessage(utf8).body.toString()).toBe('привет');
    expect(serializeMessage(parseMessage(utf8)).toString()).toContain('Content-Length: 12\r\n');
  });

  it('discards bytes past Content-Length in a datagram and takes the rest when it is absent (§18.3)', () => {
    const base = ['OPTIONS sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:b@example.com>;tag=1', 'To: <sip:a@example.com>', 'Call-ID: c1', 'CSeq: 1 OPTIONS'];
    expect(parseMessage(crlf([...base, 'Content-Length: 3'], 'abcdef')).body.toString()).toBe('abc');
    expect(parseMessage(crlf(base, 'abcdef')).body.toString()).toBe('abcdef');
    expect(parseError(crlf(base, 'abcdef'), { datagram: false }).code).toBe('missing-content-length');
  });

  it('ignores blank lines before the start line and accepts bare LF line ends', () => {
    const text = '\r\n\r\nOPTIONS sip:a@example.com SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:b@example.com>;tag=1\nTo: <sip:a@example.com>\nCall-ID: c1\nCSeq: 1 OPTIONS\n\n';
    expect(req(parseMessage(Buffer.from(text))).method).toBe('OPTIONS');
  });
});

describe('parseMessage: invalid messages', () => {
  it.each(invalidFixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const e = parseError(f.raw);
    expect(f.expect).not.toBe('valid');
    if (f.expect === 'valid') return;
    expect({ code: e.code, message: e.message }).toEqual(f.expect);
  });

  it('keeps the request it could read, so a 400 can be built', () => {
    const f = invalidFixtures.find((x) => x.ref.includes('mismatch01'))!;
    const e = parseError(f.raw);
    expect(e.partial?.callId).toBe('a84b4c76e66710@pc33.example.org');
    const res = createResponse(e.partial!, 400, e.message, 'srv1');
    expect(serializeMessage(res).toString()).toMatch(/^SIP\/2.0 400 CSeq method does not match request method\r\n/);
    expect(res.to.tag).toBe('srv1');
  });

  it('refuses a message over the size limit and one with too many headers', () => {
    const big = crlf(['OPTIONS sip:a@example.com SIP/2.0', ...Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v`)]);
    expect(parseError(big).code).toBe('message-too-large');
    expect(parseError(big, { maxMessageBytes: 1_048_576 })).toMatchObject({ code: 'too-many-headers', message: 'too many headers (over 256)' });
  });
});

describe('serializeMessage', () => {
  it('writes canonical names, one value per line, and Content-Length last in bytes', () => {
    const m = new SipRequest('MESSAGE', 'sip:a@example.com');
    m.headers.append('v', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1').append('call-id', 'x@y').append('cseq', '1 MESSAGE');
    m.headers.append('f', '<sip:b@example.com>;tag=1').append('t', '<sip:a@example.com>').append('content-length', '99');
    m.headers.append('X-Custom', 'a\r\nInjected: yes');
    m.body = Buffer.from('ü');
    const text = serializeMessage(m).toString();
    expect(text).toBe(
      'MESSAGE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nCall-ID: x@y\r\nCSeq: 1 MESSAGE\r\n' +
        'From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nX-Custom: a Injected: yes\r\nContent-Length: 2\r\n\r\nü',
    );
  });
});
