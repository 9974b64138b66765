// The cap on unanswered inbound trunk calls (issue 16 item 4) on real Calls:
// places are taken up to the cap, refusals counted, and each place is freed
// exactly once — at the answer, or at the end of a call never answered.
import { describe, expect, it } from 'vitest';
import { Call } from '../../../services/call-control/call/call';
import { UnconfirmedInbound, unconfirmedCap } from '../../../services/call-control/trunks/unconfirmed-inbound';
import { silentLogger } from '../../../services/common/logger';

function call(id: string): Call {
  const recorder = { attempt: () => undefined, answer: () => undefined, hangup: () => undefined, forward: () => undefined } as unknown as ConstructorParameters<typeof Call>[0]['recorder'];
  const a = { state: 'ringing', reject: () => undefined, on: () => () => undefined } as unknown as ConstructorParameters<typeof Call>[1]['a'];
  return new Call({ recorder }, { id, tenantId: 1, direction: 'inbound', caller: { dialled: '8916', number: '+7916' }, callee: { dialled: '8495', number: '+7495' }, a, log: silentLogger });
}

describe('UnconfirmedInbound', () => {
  it('half the licence, at least one', () => {
    expect([4, 16, 1, 0].map(unconfirmedCap)).toEqual([2, 8, 1, 1]);
  });

  it('holds up to the cap; an answer frees a place once, an unanswered call’s end frees it too', async () => {
    const cap = new UnconfirmedInbound(() => 2);
    const [a, b, c] = [call('a'), call('b'), call('c')];
    expect(cap.take(a)).toBe(true);
    expect(cap.take(b)).toBe(true);
    expect(cap.take(c)).toBe(false);
    expect(cap.snapshot()).toEqual({ held: 2, cap: 2, refused: 1 });
    a.progress('answered');
    expect(cap.snapshot().held).toBe(1);
    // The answered call's end does not free a second place.
    await a.end('caller', 200);
    expect(cap.snapshot().held).toBe(1);
    expect(cap.take(c)).toBe(true);
    await b.end('system', 487);
    expect(cap.snapshot()).toEqual({ held: 1, cap: 2, refused: 1 });
  });
});
