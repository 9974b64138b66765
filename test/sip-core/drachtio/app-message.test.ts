import { describe, expect, it } from 'vitest';
import { SipRequest, SipResponse } from '../../../services/sip-core/sip/message';
import {
  AppMessageError,
  ensureContentType,
  parseAppMessage,
  rewriteLocalhost,
  bracketContacts,
} from '../../../services/sip-core/drachtio/app-message';

describe('parseAppMessage (what drachtio-srf writes)', () => {
  it('reads a request skeleton, drops server-owned headers and keeps the body in bytes', () => {
    const m = parseAppMessage(
      'INVITE sip:1000@10.0.0.1 SIP/2.0\r\nfrom: <sip:ёж@localhost>\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKx\r\n' +
        'Content-Length: 3\r\nX-Custom: a,b\r\ncontent-type: application/sdp\r\n\r\nv=0ё',
    );
    expect(m).toBeInstanceOf(SipRequest);
    const r = m as SipRequest;
    expect(r.method).toBe('INVITE');
    expect(r.uri).toBe('sip:1000@10.0.0.1');
    expect(r.get('via')).toBeUndefined();
    expect(r.get('content-length')).toBeUndefined();
    expect(r.get('x-custom')).toBe('a,b');
    expect(r.body.length).toBe(5);
  });

  it('reads a response status line', () => {
    const m = parseAppMessage('SIP/2.0 486 Busy Here\r\ncall-id: abc\r\n\r\n') as SipResponse;
    expect(m).toBeInstanceOf(SipResponse);
    expect(m.status).toBe(486);
    expect(m.reason).toBe('Busy Here');
  });

  it.each([
    ['HELLO\r\n\r\n', 'malformed start line: HELLO'],
    ['INVITE sip:a SIP/2.0\r\nno colon here\r\n\r\n', 'malformed header line: no colon here'],
    ['INVITE sip:a SIP/2.0\r\nbad name: x\r\n\r\n', 'invalid header name: bad name'],
  ])('rejects %j', (text, message) => {
    expect(() => parseAppMessage(text)).toThrow(AppMessageError);
    expect(() => parseAppMessage(text)).toThrow(message);
  });
});

describe('ensureContentType and rewriteLocalhost', () => {
  it('labels an SDP body and refuses another body without Content-Type', () => {
    const sdp = parseAppMessage('INVITE sip:a@b SIP/2.0\r\n\r\nv=0\r\n');
    expect(ensureContentType(sdp)).toBeUndefined();
    expect(sdp.get('content-type')).toBe('application/sdp');
    const other = parseAppMessage('MESSAGE sip:a@b SIP/2.0\r\n\r\nhello');
    expect(ensureContentType(other)).toBe('missing content-type');
  });

  it('replaces @localhost with the server address in From/To/Contact only', () => {
    const m = parseAppMessage(
      'INVITE sip:a@b SIP/2.0\r\nfrom: <sip:100@localhost>;tag=1\r\ncontact: <sip:100@localhost:5080;transport=tcp>\r\nX-Other: sip:1@localhost\r\n\r\n',
    );
    rewriteLocalhost(m, '10.1.1.1:5060');
    expect(m.get('from')).toBe('<sip:100@10.1.1.1:5060>;tag=1');
    expect(m.get('contact')).toBe('<sip:100@10.1.1.1:5060;transport=tcp>');
    expect(m.get('x-other')).toBe('sip:1@localhost');
  });

  it('writes a bare Contact in name-addr form, its ;params staying header parameters (RFC 3261 §20.10)', () => {
    const m = parseAppMessage(
      'INVITE sip:a@b SIP/2.0\r\ncontact: sip:sipp@10.1.1.1:5060;expires=60\r\ncontact: <sip:x@y;transport=tcp>;q=0.5\r\n\r\n',
    );
    bracketContacts(m);
    expect(m.headers.getAll('contact')).toEqual(['<sip:sipp@10.1.1.1:5060>;expires=60', '<sip:x@y;transport=tcp>;q=0.5']);
    const star = parseAppMessage('REGISTER sip:b SIP/2.0\r\ncontact: *\r\n\r\n');
    bracketContacts(star);
    expect(star.get('contact')).toBe('*');
  });
});
