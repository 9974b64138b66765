import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CallActions } from '../../../services/call-control/actions/actions';
import { Call } from '../../../services/call-control/call/call';
import { defineFeature, type Feature, type FeatureDeps } from '../../../services/call-control/features/feature';
import { Features, runDestinations, type Builtins } from '../../../services/call-control/features/index';
import type { Destination, FeatureName } from '../../../services/call-control/routing/destination';
import { createLogger } from '../../../services/common/logger';
import { FakeLeg, fakeRecorder } from '../fakes/fake-leg';

function world(configs: Record<string, unknown> = {}) {
  const recorder = fakeRecorder();
  const lines: string[] = [];
  const a = new FakeLeg('a');
  const call = new Call({ recorder }, { id: 'c1', tenantId: 7, direction: 'inbound', caller: { dialled: '84951234567', number: '+74951234567' }, callee: { dialled: '100', number: '100' }, a, log: createLogger({ sink: (l) => lines.push(l) }) });
  const freed: string[] = [];
  call.defer('licence', () => freed.push('licence'));
  call.defer('media', () => freed.push('media'));
  const deps: FeatureDeps = {
    actions: {} as CallActions, // these tests route only; actions are exercised by actions/*.test.ts
    configs: { load: (tenantId: number, feature: FeatureName, id: string) => configs[`${tenantId}/${feature}/${id}`] },
    prompts: { file: () => undefined },
    directory: { hasExtension: () => false },
    log: call.log,
    now: () => 0,
  };
  const connected: string[] = [];
  const builtins: Builtins = {
    extension: (to) => ({
      run: async (c) => {
        connected.push(to.extension);
        await c.a.answer('v=0\r\n');
        c.progress('answered');
        return { kind: 'done' };
      },
      stop: () => undefined,
    }),
    external: () => ({
      run: async () => {
        throw new Error('trunk directory exploded');
      },
      stop: () => undefined,
    }),
  };
  return { call, a, deps, builtins, recorder, lines, freed, connected };
}

/** An announcement-like test feature: routes on to its `then`. */
const hop = defineFeature({
  name: 'announcement',
  config: z.object({ then: z.custom<Destination>((v) => typeof v === 'object' && v !== null && 'kind' in v) }),
  create: (config): Feature => ({ run: async () => ({ kind: 'route', to: config.then }), stop: () => undefined }),
});

describe('runDestinations', () => {
  it('follows feature → feature → extension; the path names each; nothing is released while the call is up', async () => {
    const w = world({ '7/announcement/1': { then: { kind: 'feature', feature: 'announcement', id: '2' } }, '7/announcement/2': { then: { kind: 'extension', extension: '202' } } });
    const features = new Features(w.deps, w.builtins, { announcement: hop });
    await runDestinations(w.call, { kind: 'feature', feature: 'announcement', id: '1' }, features);
    expect(w.call.path).toEqual(['feature:announcement:1', 'feature:announcement:2', 'extension:202']);
    expect(w.connected).toEqual(['202']);
    expect(w.call.state).toBe('answered');
    expect(w.freed).toEqual([]);
  });

  it('a loop is cut with 482 destination-loop and everything released', async () => {
    const w = world({ '7/announcement/1': { then: { kind: 'feature', feature: 'announcement', id: '1' } } });
    await runDestinations(w.call, { kind: 'feature', feature: 'announcement', id: '1' }, new Features(w.deps, w.builtins, { announcement: hop }), 5);
    expect(w.call.path).toHaveLength(5);
    expect(w.a.sent).toEqual(['482']);
    expect(w.recorder.events.at(-1)!.e).toMatchObject({ type: 'hangup', side: 'system', sipStatus: 482, reason: 'destination-loop' });
    expect(w.freed).toEqual(['media', 'licence']);
  });

  it.each([
    ['a feature without a factory', { kind: 'feature', feature: 'queue', id: '1' }, {}, 404, 'feature-not-available'],
    ['a deleted record', { kind: 'feature', feature: 'announcement', id: '9' }, {}, 404, 'destination-not-found'],
    ['a config its schema refuses', { kind: 'feature', feature: 'announcement', id: '1' }, { '7/announcement/1': { then: 5 } }, 500, 'feature-config-invalid'],
    ['a refusal', { kind: 'refuse', status: 486, reason: 'Busy Here', code: 'busy' }, {}, 486, 'busy'],
  ] as const)('%s ends the call with its status and CDR reason, releasing everything', async (_what, to, configs, status, reason) => {
    const w = world(configs);
    await runDestinations(w.call, to as Destination, new Features(w.deps, w.builtins, { announcement: hop }));
    expect(w.a.sent).toEqual([String(status)]);
    expect(w.recorder.events.at(-1)!.e).toMatchObject({ type: 'hangup', sipStatus: status, reason });
    expect(w.freed).toEqual(['media', 'licence']);
  });

  it('a feature that throws after admission ends the call 500 internal-error: licence, media and CDR released once', async () => {
    const w = world();
    await runDestinations(w.call, { kind: 'external', number: '+74951234567' }, new Features(w.deps, w.builtins));
    expect(w.a.sent).toEqual(['500']);
    expect(w.recorder.events.map((x) => x.e)).toEqual([expect.objectContaining({ type: 'hangup', side: 'system', sipStatus: 500, reason: 'internal-error' })]);
    expect(w.freed).toEqual(['media', 'licence']);
    expect(w.lines.join('\n')).toContain('trunk directory exploded');
  });

  it('a feature returning done with the caller still unanswered is a defect: 500 feature-left-call', async () => {
    const w = world();
    const lazy = defineFeature({ name: 'announcement', config: z.object({}), create: (): Feature => ({ run: async () => ({ kind: 'done' }), stop: () => undefined }) });
    await runDestinations(w.call, { kind: 'feature', feature: 'announcement', id: '1' }, new Features({ ...w.deps, configs: { load: () => ({}) } }, w.builtins, { announcement: lazy }));
    expect(w.recorder.events.at(-1)!.e).toMatchObject({ sipStatus: 500, reason: 'feature-left-call' });
    expect(w.freed).toEqual(['media', 'licence']);
  });

  it('a running feature is stopped when the call ends under it (the caller hung up)', async () => {
    const w = world();
    let stopped = '';
    const waits = defineFeature({
      name: 'ivr',
      config: z.object({}),
      create: (): Feature => {
        let done: () => void = () => undefined;
        return {
          run: (call) => new Promise((resolve) => {
            done = () => resolve({ kind: 'done' });
            void call.end('caller', 487);
          }),
          stop: (why) => {
            stopped = why;
            done();
          },
        };
      },
    });
    await runDestinations(w.call, { kind: 'feature', feature: 'ivr', id: '1' }, new Features({ ...w.deps, configs: { load: () => ({}) } }, w.builtins, { ivr: waits }));
    expect(stopped).toBe('call-ended');
    expect(w.freed).toEqual(['media', 'licence']);
  });
});
