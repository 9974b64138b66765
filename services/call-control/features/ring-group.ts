// The ring-group destination: members rung by the group's strategy through
// the ring action (all at once, or one after another), the answering member
// remembered for round robin, least recent and fewest calls, and the
// group's overflow when nobody answers. The stored config is call-flows'.
import { ringGroupSchema, runtimeDestination, type RingGroupConfig, type RingStrategy } from '../../call-flows';
import type { RingTarget } from '../actions/actions';
import type { Call } from '../call/call';
import { defineFeature, type Feature, type FeatureDeps, type FeatureRef, type Next } from './feature';

interface MemberStats {
  lastAnsweredAt: number;
  answered: number;
}

/**
 * What the strategies remember between calls, per group, in memory. Round
 * robin's last member is also kept in the store (FeatureConfigs.rememberMember,
 * ring_group_memory) and read from there first, so it survives a restart;
 * least recent and fewest calls start from zero after one (the CDRs keep the
 * history for reports).
 */
export class RingMemory {
  private readonly lastMember = new Map<string, string>();
  private readonly stats = new Map<string, Map<string, MemberStats>>();

  /** The extension that answered last in this group. */
  last(group: string): string | undefined {
    return this.lastMember.get(group);
  }

  member(group: string, extension: string): MemberStats {
    return this.stats.get(group)?.get(extension) ?? { lastAnsweredAt: 0, answered: 0 };
  }

  answered(group: string, extension: string, at: number): void {
    this.lastMember.set(group, extension);
    let m = this.stats.get(group);
    if (!m) this.stats.set(group, (m = new Map()));
    const s = m.get(extension) ?? { lastAnsweredAt: 0, answered: 0 };
    m.set(extension, { lastAnsweredAt: at, answered: s.answered + 1 });
  }
}

type Member = RingGroupConfig['members'][number] & { index: number };

/** The order members are tried in; `ring-all` rings them together in list order. */
export function memberOrder(
  config: RingGroupConfig,
  strategy: RingStrategy,
  memory: RingMemory,
  group: string,
  random: () => number = Math.random,
  stored?: string,
): Member[] {
  const members = config.members.map((m, index) => ({ ...m, index }));
  switch (strategy) {
    case 'ring-all':
    case 'hunt':
      return members;
    case 'round-robin': {
      // The one after whoever answered last (the store's word first: it outlives the process); the first member when nobody has.
      const lastExtension = stored ?? memory.last(group);
      const last = members.findIndex((m) => m.extension === lastExtension);
      const start = last < 0 ? 0 : (last + 1) % members.length;
      return [...members.slice(start), ...members.slice(0, start)];
    }
    case 'least-recent':
      return [...members].sort(
        (a, b) => memory.member(group, a.extension).lastAnsweredAt - memory.member(group, b.extension).lastAnsweredAt || a.index - b.index,
      );
    case 'fewest-calls':
      return [...members].sort(
        (a, b) => memory.member(group, a.extension).answered - memory.member(group, b.extension).answered || a.index - b.index,
      );
    case 'random': {
      // Fisher–Yates: every order equally likely.
      const out = [...members];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    }
  }
}

export class RingGroup implements Feature {
  private stopped = false;

  constructor(
    private readonly config: RingGroupConfig,
    private readonly deps: FeatureDeps,
    private readonly ref: FeatureRef,
    private readonly memory: RingMemory,
  ) {}

  async run(call: Call): Promise<Next> {
    const group = `${this.ref.tenantId}:${this.ref.id}`;
    const stored = this.config.strategy === 'round-robin' ? this.deps.configs.lastMember?.(this.ref.tenantId, this.ref.id) : undefined;
    const order = memberOrder(this.config, this.config.strategy, this.memory, group, Math.random, stored);
    const targets: RingTarget[] = order.map((m) => ({ extension: m.extension, delayMs: m.delay * 1000, timeoutMs: m.timeout * 1000 }));
    const outcome = await this.deps.actions.ring(call, targets, {
      strategy: this.config.strategy === 'ring-all' ? 'all' : 'hunt',
      timeoutMs: this.config.timeout * 1000,
      skip: { dnd: this.config.skipDnd, busy: this.config.skipBusy, unregistered: this.config.skipUnregistered },
    });
    if (outcome.kind === 'answered') {
      const m = order.find((x) => x.extension === outcome.extension);
      if (m) {
        this.memory.answered(group, m.extension, this.deps.now());
        // Only round robin reads it back: other strategies cost no write on the SIP loop.
        if (this.config.strategy === 'round-robin') this.deps.configs.rememberMember?.(this.ref.tenantId, this.ref.id, m.extension);
      }
      call.log.info('ring group answered', { group: this.ref.id, strategy: this.config.strategy, member: outcome.extension });
      return { kind: 'done' };
    }
    if (outcome.kind === 'ended' || this.stopped || call.ended) return { kind: 'done' };
    call.log.info('ring group not answered', { group: this.ref.id, tried: outcome.tried.map((t) => `${t.extension}:${t.why}`).join(' ') });
    return { kind: 'route', to: runtimeDestination(this.config.overflow) };
  }

  stop(): void {
    this.stopped = true;
  }
}

/** One memory per factory: the registry's factory lives as long as the process, a test makes its own. */
export function ringGroupFactory(memory = new RingMemory()) {
  return defineFeature<RingGroupConfig>({
    name: 'ring-group',
    config: ringGroupSchema,
    create: (config, deps, ref) => new RingGroup(config, deps, ref, memory),
  });
}
