// What the failed branches of a forked call say together (fork.ts) and what
// the caller then hears (fork-call.ts); the forking itself runs against real
// phones in test/integration/call-control/ringing.test.ts.
import { describe, expect, it } from 'vitest';
import { classifyFailures } from '../../../services/call-control/calls/fork';
import { endOf } from '../../../services/call-control/calls/fork-call';

describe('classifyFailures', () => {
  it.each([
    ['every phone busy', [486, 486], { kind: 'busy', status: 486 }],
    ['one busy, one unreachable: the user is busy', [480, 486], { kind: 'busy', status: 486 }],
    ['a 6xx wins over everything (RFC 3261 §16.7)', [486, 603], { kind: 'busy', status: 603 }],
    ['600 Busy Everywhere', [408, 600], { kind: 'busy', status: 600 }],
    ['a 6xx that is not a refusal', [486, 604], { kind: 'failed', status: 604 }],
    ['nobody reachable: timeouts, 480, 503 and transport errors', [408, 480, 503, undefined], { kind: 'unreachable', status: 480 }],
    ['every phone answered 503 itself: the caller hears 503', [503, 503], { kind: 'unreachable', status: 503 }],
    ['one phone 503, one silent: unreachable, 480', [503, undefined], { kind: 'unreachable', status: 480 }],
    ['the lowest other status, a challenge aside', [407, 500, 488], { kind: 'failed', status: 488 }],
    ['only a challenge', [401], { kind: 'failed', status: 480 }],
  ] as const)('%s', (_what, statuses, expected) => {
    expect(classifyFailures(statuses)).toEqual(expected);
  });
});

describe('endOf', () => {
  it('maps the last hop’s outcome to the caller’s final response and the CDR', () => {
    expect(endOf({ kind: 'no-answer', anyResponse: true })).toEqual({
      side: 'system',
      status: 480,
      phrase: 'Temporarily Unavailable',
      reason: 'ring-timeout',
      header: 'SIP;cause=480;text="ring timeout"',
    });
    expect(endOf({ kind: 'busy', status: 486 })).toEqual({ side: 'callee', status: 486, phrase: 'Busy Here' });
    expect(endOf({ kind: 'busy', status: 603, reason: 'Decline' })).toEqual({ side: 'callee', status: 603, phrase: 'Decline' });
    expect(endOf({ kind: 'unreachable', status: 480 })).toMatchObject({ side: 'callee', status: 480, reason: 'extension-unreachable' });
    expect(endOf({ kind: 'unreachable', status: 503 })).toMatchObject({
      side: 'callee',
      status: 503,
      phrase: 'Service Unavailable',
      reason: 'phone-unavailable',
    });
  });
});
