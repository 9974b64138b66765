// The masking rules of every log line (issue 15): what is masked, what is kept.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../services/common/logger';
import { maskText, redact } from '../../services/common/log-mask';

const lines = (mask?: boolean) => {
  const out: string[] = [];
  const log = createLogger({ level: 'debug', sink: (l) => out.push(l), maskPersonalData: mask });
  return { log, out, last: () => JSON.parse(out.at(-1)!) as Record<string, unknown> };
};

describe('maskText: numbers', () => {
  it.each([
    ['+79161234567', '+7916***4567'],
    ['89161234567', '8916***4567'],
    ['79161234567', '7916***4567'],
    ['9161234567', '916***4567'],
    ['1234567', '***67'],
    ['sip:+79161234567@pbx.example;user=phone', 'sip:+7916***4567@pbx.example;user=phone'],
    ['<sip:89161234567@192.0.2.10:5060>', '<sip:8916***4567@192.0.2.***:5060>'],
    ['tel:+79161234567', 'tel:+7916***4567'],
    ['Refer-To: <sip:84951234567@korobka>', 'Refer-To: <sip:8495***4567@korobka>'],
    ['called 89161234567.', 'called 8916***4567.'],
  ])('%s → %s', (plain, masked) => {
    expect(maskText(plain)).toBe(masked);
  });

  it.each([
    '501',
    '123456',
    'sip:501@korobka.local',
    'sip:*72@korobka',
    '550e8400-e29b-41d4-a716-446655440000',
    'a1b2c3d41234567890ff@host',
    '1234567890abcdef',
    '2026-12-06T21:44:56.123Z',
    'v1.2.3.4567890',
    'INVITE',
    'f3e4d5c6b7a8',
  ])('keeps %s', (s) => {
    expect(maskText(s)).toBe(s);
  });
});

describe('maskText: addresses', () => {
  it.each([
    ['192.0.2.10', '192.0.2.***'],
    ['source 203.0.113.254:5060 banned', 'source 203.0.113.***:5060 banned'],
    ['2001:db8::1234:5678', '2001:db8::***'],
    ['[2001:db8:1:2:3:4:5:6]:5060', '[2001:db8:1:2::***]:5060'],
    ['fe80::1c2b:3d4e', 'fe80::***'],
    ['::ffff:192.0.2.7', '::ffff:192.0.2.***'],
  ])('%s → %s', (plain, masked) => {
    expect(maskText(plain)).toBe(masked);
  });

  it.each(['127.0.0.1', '127.0.0.1:5060', '0.0.0.0', '::1', '21:44:56', 'aa:bb:cc:dd:ee:ff'])('keeps %s', (s) => {
    expect(maskText(s)).toBe(s);
  });
});

describe('redact: by key name', () => {
  it('redacts secrets whole, mask or not', () => {
    for (const mask of [true, false]) {
      expect(redact({ password: 'x', secret: 's', ha1: 'h', token: 't', authorization: 'Digest', cookie: 'c', apiKey: 'k', nested: { sessionToken: 't' } }, mask)).toEqual({
        password: '[redacted]', secret: '[redacted]', ha1: '[redacted]', token: '[redacted]', authorization: '[redacted]', cookie: '[redacted]', apiKey: '[redacted]', nested: { sessionToken: '[redacted]' },
      });
    }
  });

  it('masks personal names, and `name` only inside a call party', () => {
    expect(redact({ displayName: 'Иван Петров', callerIdName: 'Acme Bank', caller: { name: 'Ольга', number: '+79161234567' }, trunk: { name: 'Оператор' }, name: 'sip-core' })).toEqual({
      displayName: 'И***', callerIdName: 'A***', caller: { name: 'О***', number: '+7916***4567' }, trunk: { name: 'Оператор' }, name: 'sip-core',
    });
  });

  it('keeps extensions as SIP user names, masks other user names', () => {
    expect(redact({ username: '501', lastUsername: 'ivan.petrov', aor: '79161234567', user: 'admin' })).toEqual({ username: '501', lastUsername: 'i***', aor: '7916***4567', user: 'a***' });
  });

  it('masks numeric phone fields by key, never ids, ports, times or durations', () => {
    const rec = { to: 79161234567, dialled: 89161234567, callId: '79161234567', dialogId: 12345678901, trunkId: 7, port: 5060, durationMs: 12345678, time: 1733520000000, until: '2026-12-06T21:44:56.123Z', count: 12345678, tags: ['1234567890'] };
    expect(redact(rec)).toEqual({ ...rec, to: '7916***4567', dialled: '8916***4567' });
  });

  it('masks inside error messages and stacks, arrays and nested objects; the input is not changed', () => {
    const err = new Error('no route to +79161234567');
    const input = { err, targets: ['+79161234567', '502'], party: { source: { address: '198.51.100.23', port: 5062 } } };
    const out = redact(input) as { err: { message: string; stack: string }; targets: string[]; party: { source: { address: string; port: number } } };
    expect(out.err.message).toBe('no route to +7916***4567');
    expect(out.err.stack).not.toContain('79161234567');
    expect(out.targets).toEqual(['+7916***4567', '502']);
    expect(out.party.source).toEqual({ address: '198.51.100.***', port: 5062 });
    expect(input.targets[0]).toBe('+79161234567');
  });
});

describe('createLogger', () => {
  it('masks fields, child fields and the message; config off leaves personal data but still removes secrets', () => {
    const on = lines();
    on.log.child({ referTo: 'sip:89161234567@korobka', source: '192.0.2.10' }).warn('call to 89161234567 failed', { callId: 'abc-1', from: '501', password: 'pw' });
    expect(on.last()).toMatchObject({ msg: 'call to 8916***4567 failed', referTo: 'sip:8916***4567@korobka', source: '192.0.2.***', callId: 'abc-1', from: '501', password: '[redacted]' });
    expect(on.out.join('\n')).not.toMatch(/89161234567|192\.0\.2\.10/);

    const off = lines(false);
    off.log.child({ source: '192.0.2.10' }).info('call to 89161234567', { password: 'pw' });
    expect(off.last()).toMatchObject({ msg: 'call to 89161234567', source: '192.0.2.10', password: '[redacted]' });
  });
});
