import { describe, expect, it } from 'vitest';
import { parseReferTo, parseReplaces, ReferError, referNotify, wantsNoSubscription } from '../../../services/call-control/calls/transfer-refer';
import { continueOrigin, sendrecv } from '../../../services/call-control/calls/transfer-sdp';

const refused = (header: string | undefined) => {
  try {
    parseReferTo(header);
  } catch (err) {
    if (err instanceof ReferError) return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('accepted');
};

describe('Refer-To (RFC 3515 §2.1)', () => {
  it('reads a blind target from name-addr, addr-spec and tel: forms', () => {
    expect(parseReferTo('<sip:203@127.0.0.1>')).toEqual({ uri: 'sip:203@127.0.0.1', user: '203' });
    expect(parseReferTo('"Reception" <sip:203@pbx.bank.ru;transport=udp>')).toEqual({ uri: 'sip:203@pbx.bank.ru;transport=udp', user: '203' });
    expect(parseReferTo('sip:84951234567@pbx.bank.ru')).toMatchObject({ user: '84951234567' });
    expect(parseReferTo('<tel:+74951234567>')).toMatchObject({ user: '+74951234567' });
  });

  it('reads Replaces from the URI headers, %-decoded, tags in any order (RFC 3891 §6.1)', () => {
    const t = parseReferTo('<sip:203@10.0.0.1?Replaces=1-31297%40127.0.0.1%3Bto-tag%3D7028f7%3Bfrom-tag%3D31297SIPpTag001>');
    expect(t).toEqual({ uri: 'sip:203@10.0.0.1', user: '203', replaces: { callId: '1-31297@127.0.0.1', toTag: '7028f7', fromTag: '31297SIPpTag001', earlyOnly: false } });
    expect(parseReplaces('abc;from-tag=f;to-tag=t;early-only')).toEqual({ callId: 'abc', toTag: 't', fromTag: 'f', earlyOnly: true });
  });

  it('refuses what it cannot act on, with the precise status and code', () => {
    expect(refused(undefined)).toMatchObject({ status: 400, code: 'refer-to-missing' });
    expect(refused('<sip:pbx.bank.ru>')).toMatchObject({ status: 400, code: 'refer-to-invalid', message: 'Refer-To: no user part to route' });
    expect(refused('<http://example.com/x>')).toMatchObject({ status: 416, code: 'refer-to-invalid' });
    expect(refused('<sip:203@h?Replaces=abc%3Bto-tag%3Dt>')).toMatchObject({ status: 400, code: 'replaces-invalid' });
    expect(refused('<sip:203@h?Replaces=%E0%A4%A>')).toMatchObject({ status: 400, code: 'refer-to-invalid' });
    expect(refused('<sip:203@h;method=BYE>')).toMatchObject({ status: 501, code: 'refer-method-unsupported' });
    expect(refused('<sip:203@h?method=BYE>')).toMatchObject({ status: 501, code: 'refer-method-unsupported' });
  });

  it('Refer-Sub: false asks for no NOTIFYs (RFC 4488 §4)', () => {
    expect(wantsNoSubscription('false')).toBe(true);
    expect(wantsNoSubscription(' FALSE;x=1')).toBe(true);
    expect(wantsNoSubscription('true')).toBe(false);
    expect(wantsNoSubscription(undefined)).toBe(false);
  });
});

describe('NOTIFY for a REFER (RFC 3515 §2.4.4–2.4.7)', () => {
  it('reports progress with an active subscription and the final status terminating it', () => {
    expect(referNotify(100, 'Trying')).toEqual({
      method: 'NOTIFY',
      headers: { Event: 'refer', 'Subscription-State': 'active;expires=60', 'Content-Type': 'message/sipfrag;version=2.0' },
      body: 'SIP/2.0 100 Trying\r\n',
    });
    expect(referNotify(486, 'Busy Here', 7)).toMatchObject({
      headers: { Event: 'refer;id=7', 'Subscription-State': 'terminated;reason=noresource' },
      body: 'SIP/2.0 486 Busy Here\r\n',
    });
    expect(referNotify(200, 'OK\r\nInjected: x').body).toBe('SIP/2.0 200 OK  Injected: x\r\n');
  });
});

describe('SDP for a transfer', () => {
  const sdp = 'v=0\r\no=- 1 5 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\na=sendonly\r\n';
  it('resumes a held description (RFC 3264 §8.4)', () => {
    expect(sendrecv(sdp)).toContain('a=sendrecv\r\n');
    expect(sendrecv(sdp)).not.toContain('sendonly');
    expect(sendrecv(sdp.replace('sendonly', 'inactive'))).toContain('a=sendrecv');
  });

  it('keeps the dialog’s o= line, one version higher (RFC 3264 §8)', () => {
    const fresh = 'v=0\r\no=rtpengine 999 1 IN IP4 127.0.0.1\r\ns=-\r\n';
    expect(continueOrigin(sdp, fresh)).toBe('v=0\r\no=- 1 6 IN IP4 10.0.0.1\r\ns=-\r\n');
    expect(continueOrigin(undefined, fresh)).toBe(fresh);
    expect(continueOrigin('v=0\r\no=- 1 18446744073709551615 IN IP4 h\r\n', fresh)).toContain('o=- 1 18446744073709551616 IN IP4 h');
  });
});
