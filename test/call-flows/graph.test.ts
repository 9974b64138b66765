import { describe, expect, it } from 'vitest';
import {
  destinationSchema,
  ivrMenuSchema,
  type Destination,
  type IvrDigit,
  referrersOf,
  ringGroupSchema,
  validateGraph,
  validateSubject,
  extensionUsers,
  promptUsers,
} from '../../services/call-flows';
import { ext, feature, flowConfig } from './helpers';

const menu = (options: { digit: IvrDigit; destination: Destination }[], final: Destination = ext('201')) => ({
  name: 'Главное',
  prompt: 1,
  options,
  final,
});

describe('validateSubject: missing references', () => {
  it('names the field and the missing object', () => {
    const c = flowConfig({
      ivrs: {
        3: {
          ...menu([
            { digit: '1', destination: ext('201') },
            { digit: '2', destination: ext('209') },
            { digit: '3', destination: feature('ring-group', 7) },
          ]),
          prompt: 9,
        },
      },
    });
    expect(validateSubject(c, { kind: 'ivr', id: 3 })).toEqual([
      { field: 'prompt', message: 'prompt 9 does not exist' },
      { field: 'options[1].destination', message: 'extension 209 does not exist' },
      { field: 'options[2].destination', message: 'ring group 7 does not exist' },
    ]);
  });

  it('refuses features not available yet, and unknown ring group members', () => {
    const c = flowConfig({
      ringGroups: { 1: { name: 'Продажи', members: [{ extension: '201' }, { extension: '299' }], overflow: feature('fmc', 1) } },
    });
    expect(validateSubject(c, { kind: 'ring-group', id: 1 })).toEqual([
      { field: 'members[1].extension', message: 'extension 299 does not exist' },
      { field: 'overflow', message: 'FMC numbers are not available on this box yet' },
    ]);
  });

  it('does not check prompts when the box has no prompt store', () => {
    const c = flowConfig({ prompts: null, announcements: { 1: { name: 'a', prompt: 42 } } });
    expect(validateSubject(c, { kind: 'announcement', id: 1 })).toEqual([]);
  });
});

describe('validateSubject: loops', () => {
  it('refuses a cycle of automatic edges, naming the field and the way round', () => {
    const c = flowConfig({
      ivrs: { 3: menu([{ digit: '1', destination: ext('201') }], feature('ring-group', 7)) },
      ringGroups: { 7: { name: 'Продажи', members: [{ extension: '201' }], overflow: feature('announcement', 2) } },
      announcements: { 2: { name: 'Занято', prompt: 1, then: { action: 'continue', destination: feature('ivr', 3) } } },
    });
    expect(validateSubject(c, { kind: 'ivr', id: 3 })).toEqual([
      {
        field: 'final',
        message:
          "makes a loop: IVR menu 'Главное' (final) → ring group 'Продажи' (overflow) → announcement 'Занято' (then.destination) → IVR menu 'Главное'",
      },
    ]);
    expect(validateSubject(c, { kind: 'ring-group', id: 7 })[0]?.field).toBe('overflow');
    expect(validateGraph(c).map((p) => p.field)).toEqual(['ringGroups[7].overflow', 'ivrs[3].final', 'announcements[2].then.destination']);
  });

  it('a schedule pointing at itself is a loop; a menu option back to the menu is the caller’s choice and allowed', () => {
    const c = flowConfig({
      schedules: {
        1: {
          name: 'Офис',
          branches: [{ name: 'b', days: ['mon'], from: '09:00', to: '18:00', destination: ext('201') }],
          closed: feature('schedule', 1),
        },
      },
      ivrs: {
        2: menu([
          { digit: '0', destination: feature('ivr', 2) },
          { digit: '1', destination: feature('ivr', 4) },
        ]),
        4: menu([{ digit: '*', destination: feature('ivr', 2) }]),
      },
    });
    expect(validateSubject(c, { kind: 'schedule', id: 1 })).toEqual([
      { field: 'closed', message: "makes a loop: schedule 'Офис' (closed) → schedule 'Офис'" },
    ]);
    expect(validateSubject(c, { kind: 'ivr', id: 2 })).toEqual([]);
    expect(validateSubject(c, { kind: 'ivr', id: 4 })).toEqual([]);
  });
});

describe('referrers', () => {
  it('names who points at an object, a prompt and an extension', () => {
    const c = flowConfig({
      ivrs: { 3: menu([{ digit: '1', destination: feature('ring-group', 7) }]) },
      ringGroups: { 7: { name: 'Продажи', members: [{ extension: '202' }] } },
      lists: { 1: { name: 'Спам', kind: 'block', entries: [], treatment: feature('ring-group', 7) } },
      dids: [{ id: 1, number: '+74951234567', destination: feature('ring-group', 7) }],
      main: feature('ivr', 3),
    });
    expect(referrersOf(c, 'ring-group', 7)).toEqual([
      "IVR menu 'Главное' options[0].destination",
      "list 'Спам' treatment",
      'number +74951234567',
    ]);
    expect(referrersOf(c, 'ivr', 3)).toEqual(['the main destination']);
    expect(referrersOf(c, 'schedule', 1)).toEqual([]);
    expect(promptUsers(c, 1)).toEqual(["IVR menu 'Главное' prompt"]);
    expect(extensionUsers(c, '202')).toEqual(["ring group 'Продажи' members[0]"]);
  });
});

describe('schemas', () => {
  it('destination: canonical E.164 for external numbers, SIP status range for hangup', () => {
    expect(destinationSchema.parse({ type: 'external', number: '8 (495) 123-45-67' })).toEqual({
      type: 'external',
      number: '+74951234567',
    });
    expect(destinationSchema.safeParse({ type: 'hangup', status: 200 }).error?.issues[0]?.message).toBe('must be a SIP status 400–699');
    expect(destinationSchema.safeParse({ type: 'feature', feature: 'disco', id: 1 }).error?.issues[0]?.path).toEqual(['feature']);
    expect(destinationSchema.safeParse({ type: 'teleport' }).error?.issues[0]?.message).toBe(
      'type must be extension, external, hangup or feature',
    );
  });

  it('a menu without options, a duplicated key, a duplicated member are refused by field', () => {
    expect(ivrMenuSchema.safeParse({ name: 'm', options: [] }).error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['options', 'a menu needs at least one option (or dial-by-extension)'],
    ]);
    expect(ivrMenuSchema.safeParse({ name: 'm', options: [], dialByExtension: true }).success).toBe(true);
    const dup = ivrMenuSchema.safeParse({
      name: 'm',
      options: [
        { digit: '1', destination: ext('201') },
        { digit: '1', destination: ext('202') },
      ],
    });
    expect(dup.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['options.1.digit', 'key 1 is already options[0]']]);
    const g = ringGroupSchema.safeParse({ name: 'g', members: [{ extension: '201' }, { extension: '201' }] });
    expect(g.error?.issues.map((i) => i.path.join('.'))).toEqual(['members.1.extension']);
  });
});

describe('runtimeDestination', () => {
  it('converts the stored form to call-control’s run-time form', async () => {
    const { runtimeDestination } = await import('../../services/call-flows');
    const { describeDestination } = await import('../../services/call-control/routing/destination');
    expect(runtimeDestination(ext('201'))).toEqual({ kind: 'extension', extension: '201' });
    // Structurally the same type call-control runs.
    expect(describeDestination(runtimeDestination(feature('ivr', 7)))).toBe('feature:ivr:7');
    expect(runtimeDestination({ type: 'hangup', status: 486, reason: 'Busy Here' })).toEqual({
      kind: 'hangup',
      status: 486,
      reason: 'Busy Here',
    });
  });
});
