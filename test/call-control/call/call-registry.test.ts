import { describe, expect, it } from 'vitest';
import { Call } from '../../../services/call-control/call/call';
import { CallRegistry } from '../../../services/call-control/call/call-registry';
import { dtmfRelayDigit } from '../../../services/call-control/call/srf-legs';
import { createLogger } from '../../../services/common/logger';
import { FakeLeg, fakeRecorder } from '../fakes/fake-leg';

const log = createLogger({ sink: () => undefined });
const call = (id: string, a = new FakeLeg(`${id}-a`, 'caller', '201', `${id}-tag`)) =>
  new Call({ recorder: fakeRecorder() }, { id, tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, a, log });

describe('CallRegistry', () => {
  it('routes a digit to its call and the leg with the reporting tag only; forgets a call when it ends', async () => {
    const r = new CallRegistry();
    const one = call('one');
    const two = call('two');
    const b = new FakeLeg('b', 'callee', '202', 'one-b');
    one.addLeg(b);
    r.add(one);
    r.add(two);
    const got: string[] = [];
    one.on('dtmf', (d, leg) => got.push(`one:${d.digit}:${leg.id}:${d.source}`));
    two.on('dtmf', (d) => got.push(`two:${d.digit}`));
    expect(r.dtmf({ callId: 'one', sourceTag: 'one-tag', digit: '5' })).toBe(true);
    expect(r.dtmf({ callId: 'one', sourceTag: 'one-b', digit: '#' })).toBe(true);
    expect(r.dtmf({ callId: 'one', sourceTag: 'stranger', digit: '1' })).toBe(false);
    expect(r.dtmf({ callId: 'three', sourceTag: 'one-tag', digit: '1' })).toBe(false);
    expect(got).toEqual(['one:5:one-a:rfc4733', 'one:#:b:rfc4733']);
    await one.end('caller', 200);
    expect(r.has('one')).toBe(false);
    expect(r.dtmf({ callId: 'one', sourceTag: 'one-tag', digit: '5' })).toBe(false);
    expect(r.size).toBe(1);
  });
});

describe('SIP INFO digits', () => {
  it.each([
    ['application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n', { digit: '5', source: 'info', durationMs: 160 }],
    ['application/dtmf-relay; charset=x', 'Signal= *\nDuration= 250', { digit: '*', source: 'info', durationMs: 250 }],
    ['application/dtmf', '#', { digit: '#', source: 'info' }],
    ['application/dtmf-relay', 'Signal=a', { digit: 'A', source: 'info' }],
  ])('%s %j', (type, body, expected) => expect(dtmfRelayDigit(type, body)).toEqual(expected));

  it.each([
    ['application/dtmf-relay', 'Signal=55'],
    ['application/dtmf-relay', 'Duration=100'],
    ['text/plain', '5'],
    ['application/dtmf', 'x'],
  ])('ignores %s %j', (type, body) => expect(dtmfRelayDigit(type, body)).toBeUndefined());
});
