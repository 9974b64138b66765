import { describe, expect, it } from 'vitest';
import { Call } from '../../../services/call-control/call/call';
import { createLogger } from '../../../services/common/logger';
import { FakeLeg, fakeRecorder } from '../fakes/fake-leg';

function makeCall(a = new FakeLeg('a')) {
  const recorder = fakeRecorder();
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l) });
  const call = new Call({ recorder }, { id: 'c1', tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, a, log });
  return { call, recorder, a, lines };
}

describe('Call', () => {
  it('ends once: one CDR hangup, every release once and in reverse order, the same promise twice', async () => {
    const { call, recorder } = makeCall();
    const order: string[] = [];
    call.defer('licence', () => order.push('licence'));
    call.defer('media', async () => order.push('media'));
    call.defer('trunk', () => order.push('trunk'));
    const first = call.end('caller', 200);
    const second = call.end('callee', 200);
    expect(second).toBe(first);
    await first;
    await call.end('system', 500);
    expect(order).toEqual(['trunk', 'media', 'licence']);
    expect(recorder.events.map((x) => x.e.type)).toEqual(['hangup']);
    expect(recorder.events[0]!.e).toMatchObject({ type: 'hangup', side: 'caller', sipStatus: 200 });
    expect(call.state).toBe('ended');
  });

  it('a release that throws is logged and the others still run; a failing CDR write still frees everything', async () => {
    const { call, lines } = makeCall();
    const freed: string[] = [];
    call.defer('licence', () => freed.push('licence'));
    call.defer('media', () => {
      throw new Error('rtpengine timeout');
    });
    (call as unknown as { deps: { recorder: { event(): never } } }).deps.recorder = {
      event: () => {
        throw new Error('disk full');
      },
    };
    await call.end('system', 500, 'internal-error');
    expect(freed).toEqual(['licence']);
    expect(lines.join('\n')).toContain('call release failed');
    expect(lines.join('\n')).toContain('cdr write failed');
  });

  it('what is deferred after the end is released at once (a trunk lease won after the caller left)', async () => {
    const { call } = makeCall();
    await call.end('caller', 487);
    let freed = false;
    call.defer('trunk', () => (freed = true));
    await Promise.resolve();
    expect(freed).toBe(true);
  });

  it('answers a still-offered caller with the final status, BYEs answered legs, leaves ended ones alone', async () => {
    const a = new FakeLeg('a');
    const { call } = makeCall(a);
    const b = new FakeLeg('b', 'callee', '202');
    b.state = 'answered';
    const c = new FakeLeg('c', 'callee', '203');
    c.state = 'ended';
    call.addLeg(b);
    call.addLeg(c);
    await call.end('system', 503, 'media-unavailable');
    expect(a.sent).toEqual(['503']);
    expect(b.sent).toEqual(['BYE']);
    expect(c.sent).toEqual([]);
  });

  it('events: subscribers get answered / leg / ended, unsubscribe works, a throwing listener does not stop the rest', async () => {
    const { call } = makeCall();
    const seen: string[] = [];
    call.on('answered', () => {
      throw new Error('bad subscriber');
    });
    const off = call.on('answered', () => seen.push('answered'));
    call.on('leg-added', (l) => seen.push(`added ${l.id}`));
    call.on('ended', (e) => seen.push(`ended ${e.side}`));
    call.progress('early');
    call.progress('answered');
    call.progress('early'); // never backwards
    expect(call.state).toBe('answered');
    off();
    call.addLeg(new FakeLeg('b', 'callee'));
    await call.end('callee', 200);
    expect(seen).toEqual(['answered', 'added b', 'ended callee']);
  });

  it('logs its path at the end', async () => {
    const { call, lines } = makeCall();
    call.path.push('feature:ivr:1', 'extension:202');
    await call.end('caller', 200);
    expect(lines.find((l) => l.includes('call ended'))).toContain('feature:ivr:1 → extension:202');
  });
});
