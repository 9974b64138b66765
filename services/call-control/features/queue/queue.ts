// The queue destination. A caller is let in (or sent to the overflow: the
// queue is full, or nobody is logged in and the queue does not take callers
// then), answered by the PBX, greeted, and waits in order hearing music on
// hold and position announcements (hold.ts) while the engine (engine.ts)
// finds a free agent by the queue's strategy (picker.ts). An offer rings the
// agent (or, ring-all, the agents) for `ringTimeout`; a miss counts towards
// the agent's auto-pause and the caller waits on at their place. When an
// agent answers the caller is joined to them by the ring action and the
// agent gets wrap-up time after the call. Every step is written to the
// store's queue_calls row (keyed by the CDR id), which the service-level
// counters and the live view read. A caller hanging up at any point ends
// the call the usual way (call.end: slot, media, CDR) and the row says
// 'abandoned' with the time waited.
import { queueSchema, runtimeDestination, type QueueConfig } from '../../../call-flows';
import type { Call } from '../../call/call';
import { defineFeature, type Feature, type FeatureDeps, type FeatureRef, type Next } from '../feature';
import type { QueueDeps } from './deps';
import { QueueEngine, type Entry, type QueueState } from './engine';
import { Hold } from './hold';
import { expectedWaitMs } from './picker';

export class Queue implements Feature {
  private stopped = false;

  constructor(
    private readonly config: QueueConfig,
    private readonly deps: FeatureDeps,
    private readonly ref: FeatureRef,
    private readonly engine: QueueEngine,
  ) {}

  async run(call: Call): Promise<Next> {
    const qdeps = this.deps.queues;
    if (!qdeps) {
      call.log.error('queue run without its store');
      return { kind: 'route', to: { kind: 'hangup', status: 503, reason: 'Service Unavailable', code: 'queue-unavailable' } };
    }
    const config = this.config;
    const queueId = Number(this.ref.id);
    const q = this.engine.state(call.tenantId, queueId, config, qdeps);
    const at = Date.now();
    const door =
      config.maxCallers > 0 && q.waiting.length >= config.maxCallers
        ? 'full'
        : !config.joinEmpty && this.engine.loggedIn(q) === 0
          ? 'empty'
          : undefined;
    if (door) {
      qdeps.store.enter({
        tenantId: call.tenantId,
        queueId,
        cdrId: call.id,
        caller: call.caller.number,
        at,
        position: q.waiting.length + 1,
        outcome: door,
      });
      call.log.info('queue not joined', { queue: this.ref.id, why: door, waiting: q.waiting.length });
      return { kind: 'route', to: runtimeDestination(config.overflow) };
    }
    await this.deps.actions.answer(call);
    if (call.ended || this.stopped) return { kind: 'done' };
    const rowId = qdeps.store.enter({
      tenantId: call.tenantId,
      queueId,
      cdrId: call.id,
      caller: call.caller.number,
      at,
      position: q.waiting.length + 1,
    });
    // In line from now (the place is kept during the greeting), offered once the greeting has played.
    const entry = this.engine.enter(q, call, rowId, config.greeting !== null ? Infinity : 0);
    const offEnded = call.on('ended', () => {
      if (!q.waiting.includes(entry)) return;
      this.engine.leave(q, entry);
      qdeps.store.ended(rowId, 'abandoned', Date.now());
      call.log.info('queue caller hung up', { queue: this.ref.id, waitedMs: Date.now() - entry.enteredAt });
    });
    try {
      return await this.wait(call, q, entry, qdeps);
    } finally {
      offEnded();
    }
  }

  private async wait(call: Call, q: QueueState, entry: Entry, qdeps: QueueDeps): Promise<Next> {
    const config = this.config;
    if (config.greeting !== null) {
      const greeting = this.deps.prompts.file(call.tenantId, config.greeting);
      if (greeting) await this.deps.actions.play(call, greeting);
      if (call.ended) return { kind: 'done' };
      this.engine.ready(q, entry);
    }
    const music = config.music !== null ? this.deps.prompts.file(call.tenantId, config.music) : undefined;
    const hold = new Hold({
      call,
      config,
      actions: this.deps.actions,
      music,
      standing: () => {
        const position = Math.max(1, this.engine.position(q, entry));
        const ms = expectedWaitMs(position, this.engine.staffed(q), qdeps.store.recentHandleMs(q.queueId));
        return { position, waitMinutes: Math.max(1, Math.ceil(ms / 60_000)) };
      },
      speak: (text, language) => qdeps.speak(text, language),
      announced: (position, waitMinutes) => {
        qdeps.store.announced(entry.rowId);
        call.log.info('queue position announced', { queue: this.ref.id, position, waitMinutes });
      },
    });
    hold.start();
    try {
      for (;;) {
        const turn = await this.engine.next(q, entry);
        if (turn.kind === 'ended' || call.ended || this.stopped) return { kind: 'done' };
        if (turn.kind === 'leave') {
          this.engine.leave(q, entry);
          qdeps.store.ended(entry.rowId, turn.outcome, Date.now());
          call.log.info('queue left for the overflow', { queue: this.ref.id, why: turn.outcome, waitedMs: Date.now() - entry.enteredAt });
          await hold.stop();
          return { kind: 'route', to: runtimeDestination(config.overflow) };
        }
        const offered = turn.agents.map((a) => a.extension);
        const outcome = await this.deps.actions.ring(
          call,
          offered.map((extension) => ({ extension, timeoutMs: config.ringTimeout * 1000 })),
          { strategy: turn.mode === 'all' ? 'all' : 'hunt', timeoutMs: config.ringTimeout * 1000 },
        );
        if (outcome.kind === 'answered') {
          await this.answered(call, q, entry, qdeps, outcome.extension, offered);
          await hold.stop();
          return { kind: 'done' };
        }
        this.engine.release(call.tenantId, offered);
        if (outcome.kind === 'ended' || call.ended) return { kind: 'done' };
        this.missed(call, q.queueId, entry, qdeps, outcome.tried);
        entry.offering = false;
      }
    } finally {
      await hold.stop();
    }
  }

  private async answered(call: Call, q: QueueState, entry: Entry, qdeps: QueueDeps, agent: string, offered: string[]): Promise<void> {
    const config = this.config;
    const now = Date.now();
    this.engine.talking(call.tenantId, agent);
    this.engine.leave(q, entry);
    this.engine.release(
      call.tenantId,
      offered.filter((x) => x !== agent),
    );
    const member = config.members.find((m) => m.extension === agent);
    qdeps.store.answered(entry.rowId, agent, now);
    qdeps.store.agentAnswered(q.queueId, agent, member?.mode !== 'dynamic');
    call.log.info('queue call answered', { queue: this.ref.id, agent, waitedMs: now - entry.enteredAt });
    const done = () => {
      const end = Date.now();
      qdeps.store.ended(entry.rowId, 'abandoned', end);
      qdeps.store.agentCallEnded(q.queueId, agent, end);
      this.engine.callEnded(call.tenantId, agent, config.wrapUp);
    };
    if (call.ended) done();
    else call.on('ended', done);
  }

  private missed(
    call: Call,
    queueId: number,
    entry: Entry,
    qdeps: QueueDeps,
    tried: ReadonlyArray<{ extension: string; why: string }>,
  ): void {
    for (const t of tried) {
      entry.declined.add(t.extension);
      if (t.why !== 'no-answer') continue;
      const member = this.config.members.find((m) => m.extension === t.extension);
      const staticMember = member?.mode !== 'dynamic';
      const missed = qdeps.store.agentMissed(queueId, t.extension, staticMember);
      call.log.info('queue agent missed', { queue: this.ref.id, agent: t.extension, missed });
      if (this.config.autoPauseAfter > 0 && missed >= this.config.autoPauseAfter) {
        qdeps.store.setAgent(queueId, t.extension, { paused: true, pauseReason: 'missed' }, staticMember);
        call.log.warn('queue agent paused after missed calls', { queue: this.ref.id, agent: t.extension, missed });
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }
}

/** One engine per factory: the registry's lives as long as the process, a test makes its own. */
export function queueFactory(engine = new QueueEngine()) {
  return defineFeature<QueueConfig>({
    name: 'queue',
    config: queueSchema,
    create: (config, deps, ref) => new Queue(config, deps, ref, engine),
  });
}
