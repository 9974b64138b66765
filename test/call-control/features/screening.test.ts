// Black/white lists and the recording notice at run time: the tenant's lists
// at entry (screenEntry, what trunks/inbound-origin.ts applies before
// admission), an extension's own lists when a destination rings it, and the
// notice played before the call goes on.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listSchema, type ListInput } from '../../../services/call-flows';
import type { Call } from '../../../services/call-control/call/call';
import type { CallLists } from '../../../services/call-control/features/feature';
import { screenEntry } from '../../../services/call-control/features/screening';
import { flowWorld } from './flow-world';

function lists(
  byId: Record<number, ListInput>,
  notices: Record<string, { enabled: boolean; prompt: number | null }> = {},
  queueNotices: Record<string, { enabled: boolean; prompt: number | null }> = {},
): CallLists {
  const parsed = Object.entries(byId).map(([id, l]) => [Number(id), listSchema.parse(l)] as const);
  return {
    lists: (tenantId) => (tenantId === 7 ? parsed : []),
    didNotice: (tenantId, did) => (tenantId === 7 && notices[did] ? { ...notices[did], toCalled: false } : undefined),
    queueNotice: (tenantId, id) => (tenantId === 7 && queueNotices[id] ? { ...queueNotices[id], toCalled: false } : undefined),
  };
}

const spam: ListInput = { name: 'Спам', kind: 'block', entries: [{ match: 'prefix', value: '8800' }, { match: 'anonymous' }] };
const vip: ListInput = { name: 'VIP', kind: 'allow', vip: true, entries: [{ match: 'number', value: '+7 916 000-00-01' }] };

describe('screenEntry (the tenant lists, before admission)', () => {
  it('a blocked caller is refused with the list treatment (busy by default), reason caller-blocked; the path names the list', () => {
    const r = screenEntry(lists({ 3: spam }), 7, '+78005553535');
    expect(r).toEqual({
      vip: false,
      path: ['list:block:3'],
      treatment: { kind: 'refuse', status: 486, reason: 'Busy Here', code: 'caller-blocked' },
    });
    expect(screenEntry(lists({ 3: spam }), 7, 'anonymous').treatment).toMatchObject({ kind: 'refuse', status: 486 });
  });

  it('an announcement treatment routes to the announcement; a disabled list or another tenant screens nobody', () => {
    const withAnn = lists({ 3: { ...spam, treatment: { type: 'feature', feature: 'announcement', id: 9 } } });
    expect(screenEntry(withAnn, 7, '88005553535').treatment).toEqual({ kind: 'feature', feature: 'announcement', id: '9' });
    expect(screenEntry(lists({ 3: { ...spam, enabled: false } }), 7, '88005553535')).toEqual({ vip: false, path: [] });
    expect(screenEntry(lists({ 3: spam }), 8, '88005553535')).toEqual({ vip: false, path: [] });
    expect(screenEntry(lists({ 3: { ...spam, direction: 'outbound' } }), 7, '88005553535')).toEqual({ vip: false, path: [] });
  });

  it('an allow list lets a caller past the block lists; a VIP one marks the call', () => {
    const both = lists({ 3: { ...spam, entries: [{ match: 'prefix', value: '8916' }] }, 4: vip });
    expect(screenEntry(both, 7, '+79160000001')).toEqual({ vip: true, path: ['list:allow:4'] });
    expect(screenEntry(both, 7, '+79160000002').treatment).toMatchObject({ kind: 'refuse' });
  });
});

describe('on the call', () => {
  it('a VIP-marked call takes the schedule first branch at night', async () => {
    const configs = {
      '7/schedule/1': {
        name: 'Офис',
        timeZone: 'Europe/Moscow',
        branches: [{ name: 'День', days: ['mon'], from: '09:00', to: '10:00', destination: { type: 'extension', extension: '201' } }],
        closed: { type: 'hangup', status: 480 },
      },
    };
    const night = Date.UTC(2026, 11, 7, 20, 0);
    const w = flowWorld({ configs, now: night });
    w.call.vip = true;
    await w.run({ kind: 'feature', feature: 'schedule', id: '1' });
    expect(w.connected).toEqual(['201']);
    const plain = flowWorld({ configs, now: night });
    await plain.run({ kind: 'feature', feature: 'schedule', id: '1' });
    expect(plain.connected).toEqual([]);
    expect(plain.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', sipStatus: 480 });
  });

  it("an extension's own block list sends an inbound caller to its treatment before the extension rings", async () => {
    const own = lists({
      5: {
        name: 'Бывший клиент',
        kind: 'block',
        extension: '201',
        entries: [{ match: 'number', value: '+74951234567' }],
        treatment: { type: 'extension', extension: '202' },
      },
    });
    const w = flowWorld({ lists: own });
    await w.run({ kind: 'extension', extension: '201' });
    expect(w.connected).toEqual(['202']);
    expect(w.call.path).toEqual(['extension:201', 'list:block:5', 'extension:202']);
    const other = flowWorld({ lists: own, caller: '+74950000000' });
    await other.run({ kind: 'extension', extension: '201' });
    expect(other.connected).toEqual(['201']);
  });

  it('after an IVR answered, a busy treatment of an extension list hangs up with caller-blocked', async () => {
    const own = lists({ 5: { name: 'Нет', kind: 'block', extension: '201', entries: [{ match: 'prefix', value: '+7495' }] } });
    const w = flowWorld({ lists: own });
    await w.actions.answer(w.call);
    await w.run({ kind: 'extension', extension: '201' });
    expect(w.connected).toEqual([]);
    expect(w.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', side: 'system', sipStatus: 486, reason: 'caller-blocked' });
  });

  it('the recording notice: answered, the prompt played, then the destination; a missing prompt still routes on', async () => {
    const w = flowWorld();
    await w.run({ kind: 'notice', prompt: 12, then: { kind: 'extension', extension: '201' } });
    expect(w.actions.log.slice(0, 2)).toEqual([{ action: 'answer' }, { action: 'play', file: '/prompts/7/12.wav' }]);
    expect(w.connected).toEqual(['201']);
    expect(w.call.path).toEqual(['notice:12', 'extension:201']);
    const gone = flowWorld();
    await gone.run({ kind: 'notice', prompt: 500, then: { kind: 'extension', extension: '201' } });
    expect(gone.actions.log.some((l) => l.action === 'play')).toBe(false);
    expect(gone.connected).toEqual(['201']);
  });

  it('the caller hanging up during the notice ends there: nobody is rung', async () => {
    const w = flowWorld();
    w.actions.playOutcome = { kind: 'ended' };
    await w.run({ kind: 'notice', prompt: 12, then: { kind: 'extension', extension: '201' } });
    expect(w.connected).toEqual([]);
  });
});

describe('outbound lists (screenOutbound: numbers an extension dials out)', () => {
  const premium: ListInput = { name: 'Платные номера', kind: 'block', direction: 'outbound', entries: [{ match: 'prefix', value: '8809' }] };

  it('a blocked number gets the list treatment (busy) before any trunk is tried; the path names the list', async () => {
    const w = flowWorld({ lists: lists({ 6: premium }), direction: 'outbound', caller: '201' });
    await w.run({ kind: 'external', number: '+78091234567' });
    expect(w.dialled).toEqual([]);
    expect(w.call.path).toEqual(['external:+78091234567', 'list:block:6', 'refuse:486']);
    expect(w.recorder.events.at(-1)?.e).toMatchObject({ type: 'hangup', sipStatus: 486, reason: 'caller-blocked' });
  });

  it('other numbers, inbound-only lists, another extension’s list, and an allow list let the call out', async () => {
    const dials = async (l: Record<number, ListInput>, number = '+78091234567') => {
      const w = flowWorld({ lists: lists(l), direction: 'outbound', caller: '201' });
      await w.run({ kind: 'external', number });
      return w.dialled;
    };
    expect(await dials({ 6: premium }, '+74951234567')).toEqual(['+74951234567']);
    expect(await dials({ 6: { ...premium, direction: 'inbound' } })).toEqual(['+78091234567']);
    expect(await dials({ 6: { ...premium, extension: '202' } })).toEqual(['+78091234567']);
    expect(await dials({ 6: { ...premium, extension: '201' } })).toEqual([]);
    expect(await dials({ 6: { ...premium, direction: 'both' } })).toEqual([]);
    expect(await dials({ 6: premium, 7: { name: 'Разрешено', kind: 'allow', direction: 'outbound', entries: [{ match: 'number', value: '+78091234567' }] } })).toEqual(['+78091234567']);
  });

  it('an inbound call forwarded out is not screened by outbound lists', async () => {
    const w = flowWorld({ lists: lists({ 6: premium }) });
    await w.run({ kind: 'external', number: '+78091234567' });
    expect(w.dialled).toEqual(['+78091234567']);
  });
});

describe('a queue’s recording notice', () => {
  // A stand-in queue: answers the caller and records that it ran (the real one is features/queue, tested on its own).
  const ran: string[] = [];
  const table = {
    queue: {
      name: 'queue' as const,
      config: z.object({ name: z.string() }),
      create: () => ({
        run: async (c: Call) => {
          ran.push(c.id);
          return { kind: 'done' as const };
        },
        stop: () => undefined,
      }),
    },
  };
  const configs = { '7/queue/4': { name: 'Поддержка' } };

  it('is answered and played before the queue runs, however the caller got there; the path shows it', async () => {
    ran.length = 0;
    const w = flowWorld({ configs, table, lists: lists({}, {}, { '4': { enabled: true, prompt: 12 } }) });
    await w.run({ kind: 'feature', feature: 'queue', id: '4' });
    expect(w.actions.log.slice(0, 2)).toEqual([{ action: 'answer' }, { action: 'play', file: '/prompts/7/12.wav' }]);
    expect(ran).toEqual(['c1']);
    expect(w.call.path).toEqual(['feature:queue:4', 'notice:12']);
  });

  it('a disabled notice, one without a prompt, or another queue’s: the queue runs with no notice', async () => {
    const cases: Array<Record<string, { enabled: boolean; prompt: number | null }>> = [
      { '4': { enabled: false, prompt: 12 } },
      { '4': { enabled: true, prompt: null } },
      { '5': { enabled: true, prompt: 12 } },
    ];
    for (const n of cases) {
      ran.length = 0;
      const w = flowWorld({ configs, table, lists: lists({}, {}, n) });
      await w.actions.answer(w.call);
      await w.run({ kind: 'feature', feature: 'queue', id: '4' });
      expect(w.actions.log.some((l) => l.action === 'play')).toBe(false);
      expect(ran).toEqual(['c1']);
      expect(w.call.path).toEqual(['feature:queue:4']);
    }
  });

  it('the caller hanging up during the notice: the queue never runs', async () => {
    ran.length = 0;
    const w = flowWorld({ configs, table, lists: lists({}, {}, { '4': { enabled: true, prompt: 12 } }) });
    w.actions.playOutcome = { kind: 'ended' };
    await w.run({ kind: 'feature', feature: 'queue', id: '4' });
    expect(ran).toEqual([]);
  });
});
