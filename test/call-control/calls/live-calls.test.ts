import { describe, expect, it } from 'vitest';
import { LiveCalls, type LiveCall } from '../../../services/call-control/calls/live-calls';
import type { MediaLegs } from '../../../services/call-control/calls/media-legs';

const dialog = (callId: string, localTag: string, remoteTag: string) => ({ sip: { callId, localTag, remoteTag } });
const call = (id: string, tenantId: number, aCallId: string): LiveCall => ({
  id,
  tenantId,
  caller: '101',
  callee: '102',
  answeredAt: 1,
  uas: dialog(aCallId, 'ours-a', 'phone-a'),
  uac: dialog(`${aCallId}-b`, 'ours-b', 'phone-b'),
  legs: {} as MediaLegs,
});

describe('LiveCalls', () => {
  it('finds a call by either leg, with the tags in either order (RFC 3891 §3)', () => {
    const live = new LiveCalls();
    live.add(call('c1', 1, 'x1'));
    live.add(call('c2', 1, 'x2'));
    expect(live.byDialog('x2', 'phone-a', 'ours-a')).toMatchObject({ call: { id: 'c2' }, leg: 'uas' });
    expect(live.byDialog('x1-b', 'ours-b', 'phone-b')).toMatchObject({ call: { id: 'c1' }, leg: 'uac' });
    expect(live.byDialog('x1', 'phone-a', 'someone-else')).toBeUndefined();
  });

  it('lists per tenant without dialog handles and forgets removed calls', () => {
    const live = new LiveCalls();
    live.add(call('c1', 1, 'x1'));
    live.add(call('c2', 2, 'x2'));
    expect(live.list(2)).toEqual([{ id: 'c2', tenantId: 2, caller: '101', callee: '102', answeredAt: 1 }]);
    live.remove('c2');
    expect(live.list().map((c) => c.id)).toEqual(['c1']);
    expect(live.size).toBe(1);
  });
});
