import { describe, expect, it } from 'vitest';
import { parseAddress, parseContacts, parseDeltaSeconds, uriParts } from '../../../services/call-control/registrar/sip-address';

describe('parseContacts', () => {
  it('reads name-addr and addr-spec forms with header parameters', () => {
    const c = parseContacts('"Alice, Desk" <sip:201@10.0.0.5:5062;transport=udp>;expires=300;q=0.7, sip:201@192.168.1.9;expires=60');
    expect(c).not.toBe('*');
    const list = c as Exclude<typeof c, '*'>;
    expect(list.map((a) => a.uri)).toEqual(['sip:201@10.0.0.5:5062;transport=udp', 'sip:201@192.168.1.9']);
    expect(Object.fromEntries(list[0]!.params)).toEqual({ expires: '300', q: '0.7' });
    expect(Object.fromEntries(list[1]!.params)).toEqual({ expires: '60' });
  });
  it('reads the wildcard and an instance id', () => {
    expect(parseContacts(' * ')).toBe('*');
    const [a] = parseContacts('<sip:201@10.0.0.5>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"') as Array<{ params: Map<string, string> }>;
    expect(a!.params.get('+sip.instance')).toBe('<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>');
  });
  const bad: Array<[string, string]> = [
    ['<sip:201@10.0.0.5', 'unbalanced quotes or angle brackets'],
    ['"unterminated <sip:1@x>', 'unbalanced quotes or angle brackets'],
    ['<http://evil>', 'address is not a sip:, sips: or tel: URI'],
    ['mailto:x@y', 'address is not a sip:, sips: or tel: URI'],
    ['<sip:1@x>;expires=1;expires=2', 'parameter expires appears twice'],
    ['<sip:1@x> junk;expires=1', 'unexpected text after the address'],
    ['<sip:1@x>;ex pires=1', 'bad parameter name ex pires'],
    [Array.from({ length: 11 }, (_, i) => `<sip:${i}@x>`).join(','), 'more than 10 contacts'],
    ['<sip:' + 'a'.repeat(1100) + '@x>', 'empty or overlong address'],
    ['', 'empty or overlong address'],
  ];
  it.each(bad)('refuses %s', (value, message) => {
    expect(() => parseContacts(value)).toThrowError(message);
  });
});

describe('uriParts', () => {
  it.each([
    ['sip:201@Bank.Example.RU', { scheme: 'sip', user: '201', host: 'bank.example.ru' }],
    ['sips:alice@bank.example.ru:5061;transport=tls', { scheme: 'sips', user: 'alice', host: 'bank.example.ru' }],
    ['sip:%32%30%31@10.0.0.1', { scheme: 'sip', user: '201', host: '10.0.0.1' }],
    ['sip:201@[2001:db8::1]:5060', { scheme: 'sip', user: '201', host: '2001:db8::1' }],
    ['sip:bank.example.ru', { scheme: 'sip', user: '', host: 'bank.example.ru' }],
  ])('%s', (uri, parts) => {
    expect(uriParts(uri)).toEqual(parts);
  });
  it('refuses passwords and bad escapes', () => {
    expect(() => uriParts('sip:201:secret@x')).toThrowError('password in URI');
    expect(() => uriParts('sip:%zz@x')).toThrowError('bad escape in URI user part');
    expect(() => uriParts('http://x')).toThrowError('unreadable URI');
  });
  it('takes the URI out of a To header', () => {
    expect(uriParts(parseAddress('"201" <sip:201@bank.example.ru>;tag=abc').uri).user).toBe('201');
  });
});

describe('parseDeltaSeconds', () => {
  it('reads delta-seconds and caps at 2^32-1', () => {
    expect(parseDeltaSeconds(' 3600 ')).toBe(3600);
    expect(parseDeltaSeconds('9999999999')).toBe(4294967295);
    expect(parseDeltaSeconds(undefined)).toBeUndefined();
    expect(() => parseDeltaSeconds('-1')).toThrowError('bad expires value -1');
    expect(() => parseDeltaSeconds('1e3')).toThrowError('bad expires value 1e3');
  });
});

describe('fuzz', () => {
  it('turns any input into an address or a SipAddressError, never another exception', async () => {
    const { randomBytes } = await import('node:crypto');
    const { SipAddressError } = await import('../../../services/call-control/registrar/sip-address');
    const alphabet = '<>";,=@:sip tel%\\\r\n\0abc123.*+';
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(1 + (i % 120));
      const text = i % 2 ? bytes.toString('latin1') : [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
      for (const f of [() => parseContacts(text), () => uriParts(text), () => parseAddress(text)]) {
        try {
          f();
        } catch (e) {
          expect(e).toBeInstanceOf(SipAddressError);
        }
      }
    }
  });
});
