// Forwarding decisions (forwarding.ts) over stub stores and the real dial
// plan: unconditional, DND as busy, unreachable, the hop after a failed ring,
// external targets through the dial plan with the forwarder's permission,
// loops and the hop limit, and the Diversion header.
import { describe, expect, it } from 'vitest';
import type { RouterStores } from '../../../services/call-control/calls/call-router';
import { diversionHeader, Forwarding, MAX_FORWARDS, ringTimeFor, type ForwardRules, type Hop } from '../../../services/call-control/calls/forwarding';
import { DialPlan } from '../../../services/dialplan/dial-plan';
import type { OutboundPermission } from '../../../services/dialplan/permissions';
import type { Binding } from '../../../services/call-control/registrar/location-service';

const phone = (ext: string): Binding => ({ contact: `sip:${ext}@127.0.0.1:5070`, expiresAt: Date.now() + 60_000, callId: 'r', cseq: 1, source: { address: '127.0.0.1', port: 5070, transport: 'udp' }, registeredAt: 1 });
const none: ForwardRules = { always: null, busy: null, noAnswer: null, noAnswerSeconds: 20, unreachable: null };

interface World {
  registered?: string[];
  dnd?: string[];
  rules?: Record<string, Partial<ForwardRules>>;
  permission?: Record<string, OutboundPermission>;
}

function stores(w: World): RouterStores {
  const exts = ['201', '202', '203', '204', '205'];
  return {
    extension: (_t, e) => (exts.includes(e) ? { id: Number(e), enabled: true, outboundPermission: w.permission?.[e] ?? 'internal' } : undefined),
    dnd: (id) => (w.dnd ?? []).includes(String(id)),
    forwarding: (id) => (w.rules?.[String(id)] ? { ...none, ...w.rules[String(id)] } : undefined),
    dialPlan: () => new DialPlan({ cityCode: '495' }, [{ id: 'r1', patterns: ['_+7XXXXXXXXXX'], trunks: ['t1'] }]),
    bindings: (aor) => ((w.registered ?? []).includes(aor.split(':')[1]!) ? [phone(aor.split(':')[1]!)] : []),
  };
}

const resolve = (w: World, ext: string) => new Forwarding(stores(w), 1, () => 1000).resolve(ext);
const ring = (h: Hop) => {
  if (h.kind !== 'ring') throw new Error(`expected ring, got ${JSON.stringify(h)}`);
  return h;
};

describe('Forwarding.resolve', () => {
  it('rings a registered extension without forwarding as it is', () => {
    expect(resolve({ registered: ['202'] }, '202')).toMatchObject({ kind: 'ring', number: '202', extensionId: 202, forwards: [] });
  });

  it('forwards unconditionally before anything rings, then rings the target with its own state', () => {
    const h = resolve({ registered: ['202', '203'], rules: { '202': { always: '203' } } }, '202');
    expect(h).toMatchObject({ kind: 'ring', number: '203', forwards: [{ at: 1000, from: '202', to: '203', reason: 'always' }] });
  });

  it('treats DND as busy: the busy forward applies, else 486', () => {
    expect(resolve({ registered: ['202', '204'], dnd: ['202'], rules: { '202': { busy: '204' } } }, '202')).toMatchObject({ kind: 'ring', number: '204', forwards: [{ reason: 'busy', to: '204' }] });
    expect(resolve({ registered: ['202'], dnd: ['202'] }, '202')).toMatchObject({ kind: 'refuse', status: 486, code: 'extension-dnd' });
  });

  it('forwards an extension with no registered phone to its unreachable target, else 480', () => {
    expect(resolve({ registered: ['205'], rules: { '202': { unreachable: '205' } } }, '202')).toMatchObject({ kind: 'ring', number: '205', forwards: [{ reason: 'unreachable' }] });
    expect(resolve({}, '202')).toMatchObject({ kind: 'refuse', status: 480, code: 'extension-not-registered' });
  });

  it('refuses a forward to a missing extension with its own code', () => {
    expect(resolve({ registered: ['202'], rules: { '202': { always: '299' } } }, '202')).toMatchObject({ kind: 'refuse', status: 404, code: 'forward-target-not-found', forwards: [{ to: '299' }] });
  });

  it('ends a loop A → B → A with 482 instead of ringing forever', () => {
    const h = resolve({ registered: ['202', '203'], rules: { '202': { always: '203' }, '203': { always: '202' } } }, '202');
    expect(h).toMatchObject({ kind: 'refuse', status: 482, code: 'forward-loop' });
    expect(h.forwards.map((f) => `${f.from}>${f.to}`)).toEqual(['202>203', '203>202']);
  });

  it(`stops a chain longer than ${MAX_FORWARDS} forwards`, () => {
    const rules = { '201': { always: '202' }, '202': { always: '203' }, '203': { always: '204' }, '204': { always: '205' } };
    expect(resolve({ registered: ['205'], rules }, '201')).toMatchObject({ kind: 'refuse', status: 482, code: 'forward-loop' });
    expect(resolve({ registered: ['204'], rules: { '201': rules['201'], '202': rules['202'], '203': rules['203'] } }, '201')).toMatchObject({ kind: 'ring', number: '204' });
  });

  it('sends an external target through the dial plan with the forwarding extension’s permission', () => {
    expect(resolve({ registered: ['202'], rules: { '202': { always: '84951234567' } } }, '202')).toMatchObject({ kind: 'refuse', status: 403, forwards: [{ to: '+74951234567' }] });
    const h = resolve({ registered: ['202'], rules: { '202': { always: '84951234567' } }, permission: { '202': 'national' } }, '202');
    expect(h).toMatchObject({ kind: 'outbound', number: '+74951234567', decision: { kind: 'outbound' }, forwards: [{ from: '202', to: '+74951234567', reason: 'always' }] });
  });
});

describe('Forwarding.after (a hop that rang)', () => {
  const w: World = { registered: ['202', '203', '204'], rules: { '202': { busy: '203', noAnswer: '204', noAnswerSeconds: 5 } } };
  const f = new Forwarding(stores(w), 1, () => 2000);
  const hop = ring(f.resolve('202'));

  it('follows the rule for busy and for no answer, and nothing without a rule', () => {
    expect(f.after(hop, 'busy')).toMatchObject({ kind: 'ring', number: '203', forwards: [{ from: '202', to: '203', reason: 'busy', at: 2000 }] });
    expect(f.after(hop, 'no-answer')).toMatchObject({ kind: 'ring', number: '204', forwards: [{ reason: 'no-answer' }] });
    expect(f.after(hop, 'unreachable')).toBeUndefined();
  });

  it('rings for the no-answer seconds when a no-answer forward is set, else the system ring time', () => {
    expect(ringTimeFor(hop, 30_000)).toBe(5_000);
    expect(ringTimeFor(ring(f.resolve('203')), 30_000)).toBe(30_000);
  });

  it('does not forward back to an extension already rung (busy 202 → 203, 203 busy → 202 is a loop)', () => {
    const g = new Forwarding(stores({ registered: ['202', '203'], rules: { '202': { busy: '203' }, '203': { busy: '202' } } }), 1);
    const second = ring(g.after(ring(g.resolve('202')), 'busy')!);
    expect(g.after(second, 'busy')).toMatchObject({ kind: 'refuse', status: 482, code: 'forward-loop' });
  });
});

describe('diversionHeader (RFC 5806)', () => {
  it('lists the forwards newest first with their reasons and counters', () => {
    expect(diversionHeader([], 'pbx.example')).toBeUndefined();
    expect(
      diversionHeader(
        [
          { at: 1, from: '202', to: '203', reason: 'busy' },
          { at: 2, from: '203', to: '204', reason: 'no-answer' },
        ],
        'pbx.example',
      ),
    ).toBe('<sip:203@pbx.example>;reason=no-answer;counter=2, <sip:202@pbx.example>;reason=user-busy;counter=1');
  });
});
