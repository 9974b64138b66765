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

describe('LiveCalls after a transfer', () => {
  it('swaps a leg and the media in place, and finds the call by its new rtpengine session until it ends', () => {
    const live = new LiveCalls();
    live.add(call('c1', 1, 'x1'));
    const c = dialog('x9', 'ours-c', 'phone-c');
    live.update('c1', { uac: c, legs: { mediaId: 'c1~x1' } as MediaLegs, callee: '103' });
    expect(live.get('c1~x1')).toMatchObject({ id: 'c1', callee: '103' });
    expect(live.byDialog('x9', 'phone-c', 'ours-c')).toMatchObject({ call: { id: 'c1' }, leg: 'uac' });
    expect(live.byDialog('x1-b', 'ours-b', 'phone-b')).toBeUndefined();
    expect(live.update('nope', { callee: '1' })).toBeUndefined();
    live.remove('c1');
    expect(live.get('c1~x1')).toBeUndefined();
  });
});
