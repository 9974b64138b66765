import { describe, expect, it } from 'vitest';
import { aorKey, routeCall, type RouterStores } from '../../../services/call-control/calls/call-router';
import { DialPlan } from '../../../services/dialplan/dial-plan';
import type { Binding } from '../../../services/call-control/registrar/location-service';

const binding = (contact: string, registeredAt: number): Binding => ({ contact, expiresAt: registeredAt + 60_000, callId: 'r', cseq: 1, source: { address: '127.0.0.1', port: 5070, transport: 'udp' }, registeredAt });

function stores(o: { dnd?: readonly string[]; disabled?: readonly string[]; bound?: Readonly<Record<string, readonly Binding[]>> } = {}): RouterStores & { dialPlans: number } {
  const exts = ['201', '202', '203', '204'];
  const s = {
    dialPlans: 0,
    extension: (_t: number, e: string) => (exts.includes(e) ? { id: Number(e), enabled: !(o.disabled ?? []).includes(e), outboundPermission: 'internal' as const } : undefined),
    dnd: (id: number) => (o.dnd ?? []).includes(String(id)),
    dialPlan: () => {
      s.dialPlans++;
      return new DialPlan({ cityCode: '495' }, []);
    },
    bindings: (aor: string) => [...(o.bound?.[aor] ?? [])],
  };
  return s;
}

describe('routeCall', () => {
  it('rings every binding the location service gives for a registered extension, the best first', () => {
    const b = [binding('sip:202@10.0.0.9:5062', 2), binding('sip:202@10.0.0.8:5060', 1)];
    expect(routeCall(stores({ bound: { [aorKey(1, '202')]: b } }), 1, '201', '202')).toEqual({
      kind: 'extension', dialled: '202', number: '202', binding: b[0],
      hop: { kind: 'ring', number: '202', extensionId: 202, bindings: b, forwards: [] },
    });
  });

  it.each([
    ['no such extension', '299', {}, { status: 404, code: 'extension-not-found' }],
    ['a disabled extension', '203', { disabled: ['203'] }, { status: 404, code: 'extension-not-found' }],
    ['do not disturb, before looking for a phone', '204', { dnd: ['204'], bound: { '1:204': [binding('sip:204@h', 1)] } }, { status: 486, code: 'extension-dnd', reason: 'Do Not Disturb' }],
    ['not registered', '202', {}, { status: 480, code: 'extension-not-registered', reason: 'Not registered' }],
    ['an outbound number (trunks come later)', '84951234567', {}, { status: 403 }],
  ] as const)('refuses %s', (_what, dialled, o, expected) => {
    expect(routeCall(stores(o), 1, '201', dialled)).toMatchObject({ kind: 'refuse', dialled, ...expected });
  });

  it('keeps tenants apart: the AOR key carries the tenant', () => {
    const b = [binding('sip:202@h', 1)];
    expect(routeCall(stores({ bound: { [aorKey(2, '202')]: b } }), 1, '201', '202')).toMatchObject({ kind: 'refuse', status: 480 });
  });
});
