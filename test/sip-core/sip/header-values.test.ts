import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  formatVia,
  parseCSeq,
  parseNameAddr,
  parseUri,
  parseVia,
  splitList,
} from '../../../services/sip-core/sip/header-values';
import { SipHeaders } from '../../../services/sip-core/sip/message';
import { ParseError } from '../../../services/sip-core/sip/parse-error';

const err = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('no error');
};

describe('splitList', () => {
  it('splits at commas outside quotes and <>', () => {
    expect(splitList('"Doe, John" <sip:j@x;a=1,2>;q=0.5, <sip:k@y>,sip:l@z')).toEqual(['"Doe, John" <sip:j@x;a=1,2>;q=0.5', '<sip:k@y>', 'sip:l@z']);
    expect(splitList('"a \\" , b" <sip:a@b>')).toEqual(['"a \\" , b" <sip:a@b>']);
  });
});

describe('parseUri / formatUri', () => {
  it('reads user, password, IPv6 host, port, params and headers', () => {
    const u = parseUri('sip:alice:secret@[2001:db8::1]:5070;transport=TCP;lr?Subject=hi&Priority=urgent');
    expect(u).toMatchObject({ scheme: 'sip', user: 'alice', password: 'secret', host: '2001:db8::1', port: 5070 });
    expect([...u.params]).toEqual([['transport', 'TCP'], ['lr', null]]);
    expect([...u.headers]).toEqual([['Subject', 'hi'], ['Priority', 'urgent']]);
    expect(formatUri(u)).toBe('sip:alice:secret@[2001:db8::1]:5070;transport=TCP;lr?Subject=hi&Priority=urgent');
  });

  it('reads sips and tel URIs and refuses others with a reason', () => {
    expect(parseUri('SIPS:bob@example.com').scheme).toBe('sips');
    expect(parseUri('tel:+7-495-123-45-67;phone-context=+7')).toMatchObject({ scheme: 'tel', user: '+7-495-123-45-67', host: '' });
    expect(err(() => parseUri('mailto:a@b'))).toEqual({ code: 'unsupported-uri-scheme', message: 'unsupported URI scheme: mailto' });
    expect(err(() => parseUri('sip:a@exa mple.com'))).toEqual({ code: 'bad-uri', message: 'bad URI: sip:a@exa mple.com' });
    expect(err(() => parseUri('sip:a@example.com:99999'))).toEqual({ code: 'bad-port', message: 'bad port in URI host: example.com:99999' });
    expect(err(() => parseUri('sip:@example.com')).code).toBe('bad-uri');
  });
});

describe('parseNameAddr / formatNameAddr', () => {
  it('reads quoted and token display names, URI params versus header params', () => {
    const a = parseNameAddr('"Иван \\"Ваня\\"" <sip:ivan@example.com;transport=tcp>;tag=abc;expires=60');
    expect(a).toMatchObject({ displayName: 'Иван "Ваня"', uriText: 'sip:ivan@example.com;transport=tcp', tag: 'abc' });
    expect(a.uri?.params.get('transport')).toBe('tcp');
    expect(a.params.get('expires')).toBe('60');
    expect(formatNameAddr(a)).toBe('"Иван \\"Ваня\\"" <sip:ivan@example.com;transport=tcp>;tag=abc;expires=60');
    // Without <>, parameters belong to the header (RFC 3261 §20.10).
    const b = parseNameAddr('sip:bob@example.com;tag=xyz');
    expect(b).toMatchObject({ uriText: 'sip:bob@example.com', tag: 'xyz' });
    expect(parseNameAddr('Bob Smith <sip:bob@example.com>').displayName).toBe('Bob Smith');
    expect(parseNameAddr('*').wildcard).toBe(true);
    expect(parseNameAddr('<urn:service:sos>').uri).toBeUndefined();
  });

  it('names the header in its errors', () => {
    expect(err(() => parseNameAddr('<sip:a@b', 'To'))).toEqual({ code: 'bad-header', message: 'bad To: missing >' });
    expect(err(() => parseNameAddr('<sip:a@b> junk', 'From'))).toEqual({ code: 'bad-header', message: 'bad From: text after >' });
    expect(err(() => parseNameAddr('nothing', 'Contact'))).toEqual({ code: 'bad-header', message: 'bad Contact: bad URI' });
  });
});

describe('parseVia / formatVia', () => {
  it('reads transport, sent-by, branch, received and rport', () => {
    const v = parseVia('SIP/2.0/udp 192.0.2.1:5062;branch=z9hG4bK1;received=198.51.100.1;rport=40000;alias');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5062, branch: 'z9hG4bK1', received: '198.51.100.1', rport: 40000 });
    expect(parseVia('SIP/2.0/TCP [::1];branch=z9hG4bK2;rport')).toMatchObject({ host: '::1', rport: null });
    expect(formatVia(v)).toBe('SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK1;received=198.51.100.1;rport=40000;alias');
    expect(err(() => parseVia('SIP/2.0/UDP host;rport=0'))).toEqual({ code: 'bad-via', message: 'bad Via: bad rport 0' });
    expect(err(() => parseVia('garbage'))).toEqual({ code: 'bad-via', message: 'bad Via: garbage' });
  });
});

describe('parseCSeq', () => {
  it('reads number and method and refuses numbers of 2**31 and above', () => {
    expect(parseCSeq(' 2147483647  INVITE ')).toEqual({ seq: 2147483647, method: 'INVITE' });
    expect(err(() => parseCSeq('2147483648 INVITE'))).toEqual({ code: 'bad-cseq', message: 'bad CSeq: 2147483648 INVITE' });
  });
});

describe('SipHeaders', () => {
  it('looks names up case-insensitively and through compact forms, and writes canonical names', () => {
    const h = new SipHeaders([['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'], ['VIA', 'SIP/2.0/UDP b;branch=z9hG4bK2'], ['call-id', 'x'], ['X-Custom-Thing', '1']]);
    expect(h.get('Via')).toBe('SIP/2.0/UDP a;branch=z9hG4bK1');
    expect(h.getAll('v')).toHaveLength(2);
    expect(h.get('I')).toBe('x');
    expect(h.entries().map((e) => e.name)).toEqual(['Via', 'Via', 'Call-ID', 'X-Custom-Thing']);
    h.prepend('via', 'SIP/2.0/TCP top;branch=z9hG4bK0');
    expect(h.getAll('via')[0]).toBe('SIP/2.0/TCP top;branch=z9hG4bK0');
    expect(h.removeFirst('Via')).toBe('SIP/2.0/TCP top;branch=z9hG4bK0');
    h.set('m', ['<sip:a@b>', '<sip:c@d>']);
    expect(h.getAll('contact')).toEqual(['<sip:a@b>', '<sip:c@d>']);
    expect(h.remove('CONTACT')).toBe(2);
    expect(h.has('m')).toBe(false);
    const bare = new SipHeaders([['From', '<sip:a@b>;tag=1'], ['To', '<sip:c@d>']]);
    bare.prepend('Via', 'SIP/2.0/UDP h;branch=z9hG4bK9');
    expect(bare.entries()[0]!.name).toBe('Via');
    const copy = h.clone();
    copy.set('call-id', 'y');
    expect(h.get('call-id')).toBe('x');
  });
});
