// One call with fake legs and actions, and the real Features registry and
// destination loop: what the feature tests run a call flow through.
import { Call } from '../../../services/call-control/call/call';
import type { CallLists, FeatureDeps } from '../../../services/call-control/features/feature';
import { FEATURES, Features, runDestinations, type Builtins } from '../../../services/call-control/features/index';
import type { Destination, FeatureName } from '../../../services/call-control/routing/destination';
import { createLogger } from '../../../services/common/logger';
import { FakeActions } from '../fakes/fake-actions';
import { FakeLeg, fakeRecorder } from '../fakes/fake-leg';

export interface FlowWorld {
  call: Call;
  a: FakeLeg;
  actions: FakeActions;
  connected: string[];
  dialled: string[];
  recorder: ReturnType<typeof fakeRecorder>;
  /** The features' deps, for a test to add a port (voicemail) before run(). */
  deps: FeatureDeps;
  run(first: Destination): Promise<void>;
}

export function flowWorld(
  opts: {
    configs?: Record<string, unknown>;
    now?: number;
    extensions?: string[];
    table?: ConstructorParameters<typeof Features>[2];
    lists?: CallLists;
    caller?: string;
    /** inbound (the default): an operator's caller; outbound: an extension (`caller`) dialling out. */
    direction?: 'inbound' | 'outbound';
    tenantId?: number;
    featureConfigs?: FeatureDeps['configs'];
  } = {},
): FlowWorld {
  const recorder = fakeRecorder();
  const caller = opts.caller ?? '+74951234567';
  const a = new FakeLeg('a', 'caller', caller);
  const call = new Call(
    { recorder },
    {
      id: 'c1',
      tenantId: opts.tenantId ?? 7,
      direction: opts.direction ?? 'inbound',
      caller: { dialled: caller, number: caller },
      callee: { dialled: '+74957770000', number: '+74957770000' },
      a,
      log: createLogger({ sink: () => undefined }),
    },
  );
  const actions = new FakeActions();
  const connected: string[] = [];
  const dialled: string[] = [];
  const configs = opts.configs ?? {};
  const deps: FeatureDeps = {
    actions,
    configs: opts.featureConfigs ?? {
      load: (tenantId: number, feature: FeatureName, id: string) => configs[`${tenantId}/${feature}/${id}`],
    },
    prompts: { file: (tenantId, id) => (tenantId === 7 && id < 100 ? { file: `/prompts/7/${id}.wav` } : undefined) },
    directory: { hasExtension: (tenantId, ext) => tenantId === 7 && (opts.extensions ?? []).includes(ext) },
    log: call.log,
    now: () => opts.now ?? Date.UTC(2026, 11, 7, 9, 0),
    ...(opts.lists ? { lists: opts.lists } : {}),
  };
  const builtins: Builtins = {
    extension: (to) => ({
      run: async (c) => {
        connected.push(to.extension);
        await actions.answer(c);
        return { kind: 'done' };
      },
      stop: () => undefined,
    }),
    external: (to) => ({
      run: async (c) => {
        dialled.push(to.number);
        await actions.answer(c);
        return { kind: 'done' };
      },
      stop: () => undefined,
    }),
  };
  const features = new Features(deps, builtins, opts.table ?? FEATURES);
  return { call, a, actions, connected, dialled, recorder, deps, run: (first) => runDestinations(call, first, features) };
}
