import { describe, expect, it } from 'vitest';
import { applyEvent, dispositionOf, startCdr, type AttemptEvent, type CallEvent } from '../../../services/call-control/cdr/cdr-machine';
import type { CdrRecord } from '../../../services/call-control/cdr/cdr-record';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const attempt: AttemptEvent = {
  type: 'attempt',
  at: T0,
  callId: 'a-leg-1@pbx',
  tenantId: 1,
  direction: 'outbound',
  caller: { dialled: '201', number: '201' },
  callee: { dialled: '8 (495) 123-45-67', number: '+74951234567' },
  extension: '201',
  trunk: 'rostelecom',
};

function run(events: CallEvent[]): { cdr: CdrRecord; writes: string[]; ignored: string[] } {
  let cdr = startCdr(attempt);
  const writes: string[] = [];
  const ignored: string[] = [];
  for (const e of events) {
    const step = applyEvent(cdr, e);
    cdr = step.cdr;
    if (step.write) writes.push(step.write);
    if (step.ignored) ignored.push(step.ignored);
  }
  return { cdr, writes, ignored };
}

describe('CDR state machine', () => {
  it('a gateway answer marked unreliable bills from the first audio, and nothing without audio', () => {
    const heard = run([
      { type: 'answer-unreliable', at: T0 + 500 },
      { type: 'answer', at: T0 + 1_000 },
      { type: 'audio', at: T0 + 9_000 },
      { type: 'audio', at: T0 + 12_000 },
      { type: 'hangup', at: T0 + 20_500, side: 'caller', sipStatus: 200 },
    ]).cdr;
    expect(heard).toMatchObject({ answerUnreliable: true, audioAt: T0 + 9_000, answeredAt: T0 + 1_000, billableSeconds: 12, durationSeconds: 20 });
    const silent = run([{ type: 'answer-unreliable', at: T0 }, { type: 'answer', at: T0 + 1_000 }, { type: 'hangup', at: T0 + 20_000, side: 'caller', sipStatus: 200 }]).cdr;
    expect(silent).toMatchObject({ answerUnreliable: true, disposition: 'answered', billableSeconds: 0 });
    // A reliable answer bills from the 200 whatever the audio did.
    expect(run([{ type: 'answer', at: T0 + 1_000 }, { type: 'audio', at: T0 + 9_000 }, { type: 'hangup', at: T0 + 20_500, side: 'caller', sipStatus: 200 }]).cdr.billableSeconds).toBe(20);
  });

  it('answered call: one record with times, durations and hangup side, opened at answer and closed at hangup', () => {
    const { cdr, writes, ignored } = run([
      { type: 'ringing', at: T0 + 1_000 },
      { type: 'early-media', at: T0 + 1_500, trunk: 'mts' },
      { type: 'ringing', at: T0 + 2_000 },
      { type: 'answer', at: T0 + 8_000, trunk: 'mts' },
      { type: 'heartbeat', at: T0 + 38_000 },
      { type: 'hangup', at: T0 + 68_400, side: 'callee', sipStatus: 200, reason: 'Q.850;cause=16' },
    ]);
    expect(writes).toEqual(['open', 'touch', 'close']);
    expect(ignored).toEqual([]);
    expect(cdr).toEqual({
      callId: 'a-leg-1@pbx',
      tenantId: 1,
      direction: 'outbound',
      caller: { dialled: '201', number: '201' },
      callee: { dialled: '8 (495) 123-45-67', number: '+74951234567' },
      extension: '201',
      trunk: 'mts',
      startedAt: T0,
      ringingAt: T0 + 1_000,
      earlyMediaAt: T0 + 1_500,
      answeredAt: T0 + 8_000,
      endedAt: T0 + 68_400,
      durationSeconds: 68,
      billableSeconds: 61,
      disposition: 'answered',
      hangupSide: 'callee',
      hangupSipStatus: 200,
      hangupReason: 'Q.850;cause=16',
      transfers: [],
      status: 'completed',
      lastSeenAt: T0 + 68_400,
    });
  });

  it('the hangup carries the call-flow path and who answered; an empty path is left out', () => {
    const path = ['notice:4', 'feature:ivr:2', 'feature:ring-group:3'];
    const { cdr } = run([
      { type: 'answer', at: T0 + 1_000 },
      { type: 'hangup', at: T0 + 30_000, side: 'caller', sipStatus: 200, path, answeredBy: '203' },
    ]);
    expect(cdr).toMatchObject({ path, answeredBy: '203', disposition: 'answered' });
    const refused = run([{ type: 'hangup', at: T0 + 10, side: 'system', sipStatus: 486, reason: 'caller-blocked', path: [] }]).cdr;
    expect(refused).not.toHaveProperty('path');
    expect(refused).not.toHaveProperty('answeredBy');
  });

  const unanswered: Array<[string, CallEvent, string]> = [
    ['486 Busy Here', { type: 'hangup', at: T0 + 3_000, side: 'callee', sipStatus: 486 }, 'busy'],
    ['600 Busy Everywhere', { type: 'hangup', at: T0 + 3_000, side: 'callee', sipStatus: 600 }, 'busy'],
    ['603 Decline', { type: 'hangup', at: T0 + 3_000, side: 'callee', sipStatus: 603 }, 'busy'],
    ['480 Temporarily Unavailable', { type: 'hangup', at: T0 + 3_000, side: 'callee', sipStatus: 480 }, 'no-answer'],
    ['408 Request Timeout', { type: 'hangup', at: T0 + 3_000, side: 'callee', sipStatus: 408 }, 'no-answer'],
    ['our ring timer', { type: 'hangup', at: T0 + 30_000, side: 'system', sipStatus: 487, reason: 'ring-timeout' }, 'no-answer'],
    ['caller CANCEL', { type: 'hangup', at: T0 + 3_000, side: 'caller', sipStatus: 487 }, 'cancelled'],
    ['404 from the trunk', { type: 'hangup', at: T0 + 3_000, side: 'callee', sipStatus: 404 }, 'failed'],
    ['503 from every trunk', { type: 'hangup', at: T0 + 3_000, side: 'system', sipStatus: 503 }, 'failed'],
    [
      'licence capacity',
      { type: 'hangup', at: T0 + 3_000, side: 'system', sipStatus: 503, reason: 'licence-capacity' },
      'refused-by-licence',
    ],
  ];
  it.each(unanswered)('unanswered, %s → %s, written once with no billable time', (_n, hangup, disposition) => {
    const { cdr, writes } = run([{ type: 'ringing', at: T0 + 500 }, hangup]);
    expect(writes).toEqual(['close']);
    expect(cdr).toMatchObject({ disposition, billableSeconds: 0, status: 'completed', endedAt: hangup.at });
    expect(cdr.answeredAt).toBeUndefined();
  });

  it('counts every started second as billable and whole seconds as duration', () => {
    expect(
      run([
        { type: 'answer', at: T0 },
        { type: 'hangup', at: T0 + 1, side: 'caller' },
      ]).cdr,
    ).toMatchObject({ billableSeconds: 1, durationSeconds: 0 });
    expect(
      run([
        { type: 'answer', at: T0 },
        { type: 'hangup', at: T0, side: 'caller' },
      ]).cdr,
    ).toMatchObject({ billableSeconds: 0, disposition: 'answered', hangupSide: 'caller' });
  });

  it('records transfers after answer', () => {
    const { cdr, writes } = run([
      { type: 'answer', at: T0 + 5_000 },
      { type: 'transfer', at: T0 + 20_000, kind: 'blind', to: '305', by: 'callee' },
      { type: 'transfer', at: T0 + 40_000, kind: 'attended', to: '+79161234567', by: 'callee' },
      { type: 'hangup', at: T0 + 65_000, side: 'caller' },
    ]);
    expect(writes).toEqual(['open', 'touch', 'touch', 'close']);
    expect(cdr.transfers).toEqual([
      { at: T0 + 20_000, kind: 'blind', to: '305', by: 'callee' },
      { at: T0 + 40_000, kind: 'attended', to: '+79161234567', by: 'callee' },
    ]);
    expect(cdr.billableSeconds).toBe(60);
  });

  it('ignores events that make no sense now, and says why', () => {
    const { cdr, ignored, writes } = run([
      { type: 'transfer', at: T0 + 1, kind: 'blind', to: '1', by: 'caller' },
      { type: 'heartbeat', at: T0 + 2 },
      { type: 'answer', at: T0 + 1_000 },
      { type: 'answer', at: T0 + 2_000 },
      { type: 'ringing', at: T0 + 2_500 },
      { type: 'hangup', at: T0 + 3_000, side: 'caller' },
      { type: 'hangup', at: T0 + 4_000, side: 'callee', sipStatus: 486 },
      { type: 'answer', at: T0 + 5_000 },
    ]);
    expect(ignored).toEqual([
      'transfer before answer',
      'heartbeat before answer',
      'answer after answer',
      'ringing after answer',
      'hangup after the call ended',
      'answer after the call ended',
    ]);
    expect(writes).toEqual(['open', 'close']);
    expect(cdr).toMatchObject({ answeredAt: T0 + 1_000, endedAt: T0 + 3_000, hangupSide: 'caller', disposition: 'answered' });
  });

  it('never lets time run backwards inside a record (clock steps, reordered events)', () => {
    const { cdr } = run([
      { type: 'answer', at: T0 + 10_000 },
      { type: 'hangup', at: T0 + 5_000, side: 'caller' },
    ]);
    expect(cdr.endedAt).toBe(T0 + 10_000);
    expect(cdr.billableSeconds).toBe(0);
    expect(run([{ type: 'ringing', at: T0 - 50_000 }]).cdr.ringingAt).toBe(T0);
  });

  it('does not mutate the previous record', () => {
    const first = startCdr(attempt);
    const snapshot = JSON.stringify(first);
    applyEvent(first, { type: 'answer', at: T0 + 1 });
    expect(JSON.stringify(first)).toBe(snapshot);
  });

  it('maps dispositions', () => {
    expect(dispositionOf(true, 'system', 503, 'licence-capacity')).toBe('answered');
    expect(dispositionOf(false, 'caller', 486, undefined)).toBe('cancelled');
    expect(dispositionOf(false, 'callee', undefined, undefined)).toBe('failed');
  });
});
