import { describe, expect, it } from 'vitest';
import { ringGroupSchema, type RingGroupInput } from '../../../services/call-flows';
import { memberOrder, RingMemory, ringGroupFactory } from '../../../services/call-control/features/ring-group';
import { answeredBy } from '../fakes/fake-actions';
import { flowWorld } from './flow-world';

const group = (over: Partial<RingGroupInput> = {}): RingGroupInput => ({
  name: 'Продажи',
  members: [{ extension: '201' }, { extension: '202', delay: 5, timeout: 15 }, { extension: '203' }],
  ...over,
});
const dest = { kind: 'feature', feature: 'ring-group', id: '3' } as const;

describe('ring group', () => {
  it('rings all members together with their delays and timeouts, names who answered, and connects the call', async () => {
    const w = flowWorld({ configs: { '7/ring-group/3': group({ timeout: 40 }) } });
    w.actions.rings.push(answeredBy('202'));
    await w.run(dest);
    const ring = w.actions.log.find((l) => l.action === 'ring');
    expect(ring).toEqual({
      action: 'ring',
      targets: [
        { extension: '201', delayMs: 0, timeoutMs: 20_000 },
        { extension: '202', delayMs: 5000, timeoutMs: 15_000 },
        { extension: '203', delayMs: 0, timeoutMs: 20_000 },
      ],
      opts: { strategy: 'all', timeoutMs: 40_000, skip: { dnd: true, busy: true, unregistered: true } },
    });
    expect(w.call.state).toBe('answered');
    expect(w.call.peers.map((l) => l.number)).toEqual(['202']);
    expect(w.call.path).toEqual(['feature:ring-group:3']);
  });

  it('hunts in order, passing the skip settings, and goes to the overflow when nobody answers', async () => {
    const w = flowWorld({
      configs: { '7/ring-group/3': group({ strategy: 'hunt', skipBusy: false, overflow: { type: 'extension', extension: '299' } }) },
    });
    await w.run(dest);
    const ring = w.actions.log.find((l) => l.action === 'ring');
    expect(ring?.action === 'ring' && ring.opts).toMatchObject({ strategy: 'hunt', skip: { dnd: true, busy: false, unregistered: true } });
    expect(w.call.path).toEqual(['feature:ring-group:3', 'extension:299']);
    expect(w.connected).toEqual(['299']);
  });

  it('ends at the default overflow (480) with the caller never answered', async () => {
    const w = flowWorld({ configs: { '7/ring-group/3': group() } });
    await w.run(dest);
    expect(w.a.sent).toEqual(['480']);
    expect(w.call.ended).toBe(true);
    expect(w.call.path).toEqual(['feature:ring-group:3', 'hangup:480']);
  });

  it('round robin starts after the member who answered last, per group', async () => {
    const factory = ringGroupFactory(new RingMemory());
    const order = async (answerer: string) => {
      const w = flowWorld({ configs: { '7/ring-group/3': group({ strategy: 'round-robin' }) }, table: { 'ring-group': factory } });
      w.actions.rings.push(answeredBy(answerer));
      await w.run(dest);
      const ring = w.actions.log.find((l) => l.action === 'ring');
      return ring?.action === 'ring' ? ring.targets.map((t) => t.extension) : [];
    };
    expect(await order('201')).toEqual(['201', '202', '203']);
    expect(await order('202')).toEqual(['202', '203', '201']);
    expect(await order('203')).toEqual(['203', '201', '202']);
    expect(await order('201')).toEqual(['201', '202', '203']);
  });

  it('least recent and fewest calls order by what the group remembers; random is a permutation', () => {
    const config = ringGroupSchema.parse(group());
    const memory = new RingMemory();
    memory.answered('g', '201', 3000);
    memory.answered('g', '201', 4000);
    memory.answered('g', '203', 1000);
    const ext = (s: Parameters<typeof memberOrder>[1], random?: () => number) =>
      memberOrder(config, s, memory, 'g', random).map((m) => m.extension);
    // 202 never answered, 203 longest ago, 201 most recently.
    expect(ext('least-recent')).toEqual(['202', '203', '201']);
    // 202: 0 calls, 203: 1, 201: 2.
    expect(ext('fewest-calls')).toEqual(['202', '203', '201']);
    expect(ext('random', () => 0)).toEqual(['202', '203', '201']);
    expect(ext('random', () => 0.999).sort()).toEqual(['201', '202', '203']);
    // Another group's memory is its own.
    expect(memberOrder(config, 'least-recent', memory, 'other').map((m) => m.extension)).toEqual(['201', '202', '203']);
  });

  it('a caller who hangs up while members ring ends the group without overflow', async () => {
    const w = flowWorld({ configs: { '7/ring-group/3': group({ overflow: { type: 'extension', extension: '299' } }) } });
    w.actions.rings.push({ kind: 'ended' });
    await w.call.end('caller', 487, 'caller-cancelled');
    await w.run(dest);
    expect(w.connected).toEqual([]);
  });
});
