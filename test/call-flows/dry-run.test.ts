import { describe, expect, it } from 'vitest';
import { dryRun, numberTree } from '../../services/call-flows';
import { ext, feature, flowConfig } from './helpers';

// DID → schedule 'Офис' → open: IVR 'Главное' (1 → ring group, 2 → 202, dial-by-extension) / closed: announcement.
const config = (over: Parameters<typeof flowConfig>[0] = {}) =>
  flowConfig({
    schedules: {
      1: {
        name: 'Офис',
        timeZone: 'Europe/Moscow',
        branches: [
          { name: 'Будни', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', destination: feature('ivr', 2) },
        ],
        closed: feature('announcement', 4),
      },
    },
    ivrs: {
      2: {
        name: 'Главное',
        prompt: 1,
        options: [
          { digit: '1', destination: feature('ring-group', 3) },
          { digit: '2', destination: ext('202') },
        ],
        dialByExtension: true,
        final: feature('announcement', 4),
      },
    },
    ringGroups: { 3: { name: 'Продажи', strategy: 'hunt', members: [{ extension: '201' }, { extension: '202' }], timeout: 30 } },
    announcements: { 4: { name: 'Нерабочее время', prompt: 2 } },
    dids: [{ id: 1, number: '+74951234567', destination: feature('schedule', 1) }],
    ...over,
  });

describe('dryRun', () => {
  it('21:00 on a Saturday: schedule closed → announcement → hang up', () => {
    const r = dryRun(config(), { number: '8 495 123-45-67', caller: '+79161234567', at: new Date('2025-07-05T18:00:00Z') });
    expect(r.outcome).toBe('hangup');
    expect(r.path.map((s) => [s.kind, s.name, s.state])).toEqual([
      ['did', '+74951234567', undefined],
      ['schedule', 'Офис', 'closed'],
      ['announcement', 'Нерабочее время', undefined],
      ['hangup', undefined, undefined],
    ]);
    expect(r.summary).toBe(
      "number +74951234567 → schedule 'Офис' (closed: outside hours, sat 2025-07-05 21:00) → announcement 'Нерабочее время' → hang up after the announcement",
    );
  });

  it('business hours: the menu waits; with keys it rings the group, dials an extension, or times out', () => {
    const at = new Date('2025-07-07T08:00:00Z');
    const wait = dryRun(config(), { number: '+74951234567', at });
    expect(wait.outcome).toBe('menu');
    expect(wait.path.at(-1)?.detail).toBe(
      "IVR menu 'Главное' waits for a key (1 → ring group 'Продажи', 2 → extension 202, extension number → that extension; no key → announcement 'Нерабочее время')",
    );
    const one = dryRun(config(), { number: '+74951234567', at, keys: ['1'] });
    expect(one).toMatchObject({ outcome: 'ring-group', destination: feature('ring-group', 3) });
    expect(one.path.at(-1)).toMatchObject({ kind: 'ring-group', via: 'options[0].destination' });
    expect(dryRun(config(), { number: '+74951234567', at, keys: ['203'] })).toMatchObject({
      outcome: 'extension',
      destination: ext('203'),
    });
    const none = dryRun(config(), { number: '+74951234567', at, keys: ['timeout'] });
    expect(none.path.map((s) => s.kind)).toEqual(['did', 'schedule', 'ivr', 'announcement', 'hangup']);
  });

  it('a blocked caller gets the treatment; an allowed VIP skips the schedule; anonymous matches', () => {
    const lists = {
      1: {
        name: 'Спам',
        kind: 'block' as const,
        entries: [{ match: 'prefix' as const, value: '8800' }, { match: 'anonymous' as const }],
        treatment: { type: 'hangup' as const, status: 486, reason: 'Busy Here' },
      },
      2: { name: 'VIP', kind: 'allow' as const, vip: true, entries: [{ match: 'number' as const, value: '+7 916 000-00-01' }] },
    };
    const night = new Date('2025-07-05T18:00:00Z');
    const blocked = dryRun(config({ lists }), { number: '+74951234567', caller: '88005553535', at: night });
    expect(blocked.path.map((s) => s.kind)).toEqual(['did', 'list', 'hangup']);
    expect(blocked.destination).toEqual({ type: 'hangup', status: 486, reason: 'Busy Here' });
    expect(dryRun(config({ lists }), { number: '+74951234567', caller: 'anonymous', at: night }).outcome).toBe('hangup');
    // A DID's recording notice: heard before the destination, never by a blocked caller.
    const noticed = config({
      lists,
      dids: [
        {
          id: 1,
          number: '+74951234567',
          destination: feature('schedule', 1),
          recordingNotice: { enabled: true, prompt: 1, toCalled: false },
        },
      ],
    });
    expect(dryRun(noticed, { number: '+74951234567', caller: '88005553535', at: night }).path.map((s) => s.kind)).toEqual([
      'did',
      'list',
      'hangup',
    ]);
    expect(dryRun(noticed, { number: '+74951234567', caller: '+74950000000', at: night }).path.map((s) => [s.kind, s.state])).toEqual([
      ['did', undefined],
      ['announcement', 'notice'],
      ['schedule', 'closed'],
      ['announcement', undefined],
      ['hangup', undefined],
    ]);
    const vip = dryRun(config({ lists }), { number: '+74951234567', caller: '89160000001', at: night });
    expect(vip.path.map((s) => [s.kind, s.state])).toEqual([
      ['did', undefined],
      ['list', 'allow'],
      ['schedule', 'open'],
      ['ivr', undefined],
    ]);
  });

  it('the main destination, a number that is not ours, a deleted object, and a loop cut', () => {
    const main = dryRun(config({ dids: [{ id: 1, number: '+74951234567', destination: null }], main: ext('201') }), {
      number: '+74951234567',
      at: new Date(),
    });
    expect(main.path.map((s) => s.kind)).toEqual(['did', 'main', 'extension']);
    expect(dryRun(config(), { number: '+74950000000', at: new Date() }).outcome).toBe('no-route');
    const broken = dryRun(config({ dids: [{ id: 1, number: '+74951234567', destination: feature('ivr', 99) }] }), {
      number: '+74951234567',
      at: new Date(),
    });
    expect(broken).toMatchObject({ outcome: 'broken', path: [{ kind: 'did' }, { kind: 'missing', detail: 'IVR menu 99 does not exist' }] });
    const loop = config({
      announcements: { 4: { name: 'Петля', prompt: 2, then: { action: 'continue', destination: feature('schedule', 1) } } },
    });
    expect(dryRun(loop, { number: '+74951234567', at: new Date('2025-07-05T18:00:00Z') }).outcome).toBe('loop');
  });
});

describe('numberTree', () => {
  it('draws every branch once, labelled by key and branch name, a shared object as a reference', () => {
    const t = numberTree(config(), '84951234567')!;
    expect(t.kind).toBe('did');
    const sched = t.children[0]!.node;
    expect(sched).toMatchObject({ kind: 'schedule', name: 'Офис', detail: 'Europe/Moscow' });
    expect(sched.children.map((e) => [e.label, e.node.kind, e.node.ref ?? false])).toEqual([
      ['Будни', 'ivr', false],
      ['closed', 'announcement', true],
    ]);
    const ivr = sched.children[0]!.node;
    expect(ivr.children.map((e) => [e.label, e.node.kind, e.node.name])).toEqual([
      ['1', 'ring-group', 'Продажи'],
      ['2', 'extension', '202'],
      ['final', 'announcement', 'Нерабочее время'],
      ['2–6 digits', 'extension', 'any extension'],
    ]);
    expect(numberTree(config(), '+70000000000')).toBeUndefined();
  });
});

// The dry run's `callPath` is what call-control records as the call's path (cdrs.path); the
// fixture table (test/integration/call-control/call-flow-fixtures.test.ts) compares the two on real calls.
describe('dryRun callPath: the path in the CDR’s words', () => {
  const night = new Date('2025-07-05T18:00:00Z');
  const day = new Date('2025-07-07T08:00:00Z');
  const lists = {
    5: { name: 'Спам', kind: 'block' as const, entries: [{ match: 'prefix' as const, value: '8800' }] },
    6: { name: 'VIP', kind: 'allow' as const, vip: true, entries: [{ match: 'number' as const, value: '+7 916 000-00-01' }] },
    7: { name: 'Не для 202', kind: 'block' as const, extension: '202', entries: [{ match: 'number' as const, value: '+7 916 000-00-02' }], treatment: { type: 'hangup' as const, status: 403, reason: 'Forbidden' } },
  };

  it('names features, extensions and the closing announcement, not the DID nor the hang-up after it', () => {
    expect(dryRun(config(), { number: '+74951234567', at: night }).callPath).toEqual(['feature:schedule:1', 'feature:announcement:4']);
    expect(dryRun(config(), { number: '+74951234567', at: day, keys: ['2'] }).callPath).toEqual(['feature:schedule:1', 'feature:ivr:2', 'extension:202']);
    expect(dryRun(config(), { number: '+74951234567', at: day, keys: ['9'] }).callPath).toEqual(['feature:schedule:1', 'feature:ivr:2', 'feature:announcement:4']);
  });

  it('a list at entry refuses before answer (refuse:486); an extension’s own list after the menu answered hangs up (hangup:403)', () => {
    expect(dryRun(config({ lists }), { number: '+74951234567', caller: '88005553535', at: night }).callPath).toEqual(['list:block:5', 'refuse:486']);
    expect(dryRun(config({ lists }), { number: '+74951234567', caller: '89160000001', at: night, keys: ['timeout'] }).callPath).toEqual([
      'list:allow:6',
      'feature:schedule:1',
      'feature:ivr:2',
      'feature:announcement:4',
    ]);
    expect(dryRun(config({ lists }), { number: '+74951234567', caller: '89160000002', at: day, keys: ['2'] }).callPath).toEqual([
      'feature:schedule:1',
      'feature:ivr:2',
      'extension:202',
      'list:block:7',
      'hangup:403',
    ]);
  });

  it('a recording notice with a prompt is `notice:<prompt>`; without a prompt none is played nor named', () => {
    const withNotice = (prompt: number | null) =>
      config({ dids: [{ id: 1, number: '+74951234567', destination: ext('203'), recordingNotice: { enabled: true, prompt, toCalled: false } }] });
    expect(dryRun(withNotice(9), { number: '+74951234567', at: day }).callPath).toEqual(['notice:9', 'extension:203']);
    expect(dryRun(withNotice(null), { number: '+74951234567', at: day }).callPath).toEqual(['extension:203']);
  });

  it('noAnswer: a ring group goes on to its overflow', () => {
    const over = config({
      ringGroups: { 3: { name: 'Продажи', strategy: 'hunt', members: [{ extension: '201' }], timeout: 30, overflow: feature('announcement', 4) } },
    });
    expect(dryRun(over, { number: '+74951234567', at: day, keys: ['1'] })).toMatchObject({ outcome: 'ring-group', callPath: ['feature:schedule:1', 'feature:ivr:2', 'feature:ring-group:3'] });
    expect(dryRun(over, { number: '+74951234567', at: day, keys: ['1'], noAnswer: true })).toMatchObject({
      outcome: 'hangup',
      callPath: ['feature:schedule:1', 'feature:ivr:2', 'feature:ring-group:3', 'feature:announcement:4'],
    });
  });
});
