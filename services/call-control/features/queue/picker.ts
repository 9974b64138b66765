// Which agent a queued caller is offered next: a pure function of the
// strategy, the agents free now and what the queue remembers, so each
// strategy is a row of a fixture table (test/call-control/features/queue/picker.test.ts).
//
// Every strategy first keeps the lowest penalty present (app_queue: penalty-1
// agents get calls only when no penalty-0 agent is free), then orders:
//   ring-all      every agent of that tier at once, first to answer wins
//   linear        the members' order in the queue's config
//   round-robin   the agent after the one offered last (memory), wrapping
//   least-recent  whose last call from THIS queue ended longest ago (never first)
//   fewest-calls  fewest calls answered from this queue
//   random        uniformly (Fisher–Yates over the tier)
//   longest-idle  free the longest across all queues of the box (mod_callcenter's default)
//   skills        only agents with every required skill at the required level,
//                 the best match first (sum of their levels in the required
//                 skills), then longest idle
// Ties go to config order, so every order is deterministic given `random`.
import type { QueueStrategy } from '../../../call-flows';

export interface Candidate {
  extension: string;
  /** Position in the queue's members (linear, round robin, ties). */
  index: number;
  penalty: number;
  skills: Readonly<Record<string, number>>;
  /** Calls answered from this queue. */
  calls: number;
  /** When their last call from this queue ended (ms), null never. */
  lastCallEnd: number | null;
  /** Free since (ms) on any queue of the box, null when not known (taken as free longest). */
  idleSince: number | null;
}

export interface PickContext {
  /** Round robin: the member index offered last. */
  lastOffered?: number | undefined;
  requiredSkills?: Readonly<Record<string, number>>;
  random?: () => number;
}

export interface Pick {
  /** `all`: ring every agent at once; `one`: offer them one at a time in this order. */
  mode: 'all' | 'one';
  agents: Candidate[];
}

const byIndex = (a: Candidate, b: Candidate) => a.index - b.index;
const never = (t: number | null) => t ?? -Infinity;

export function pickAgents(strategy: QueueStrategy, free: readonly Candidate[], ctx: PickContext = {}): Pick {
  let pool = [...free];
  if (strategy === 'skills') {
    const req = Object.entries(ctx.requiredSkills ?? {});
    pool = pool.filter((c) => req.every(([skill, level]) => (c.skills[skill] ?? 0) >= level));
  }
  if (pool.length === 0) return { mode: strategy === 'ring-all' ? 'all' : 'one', agents: [] };
  const tier = Math.min(...pool.map((c) => c.penalty));
  pool = pool.filter((c) => c.penalty === tier).sort(byIndex);
  switch (strategy) {
    case 'ring-all':
      return { mode: 'all', agents: pool };
    case 'linear':
      return { mode: 'one', agents: pool };
    case 'round-robin': {
      const last = ctx.lastOffered;
      if (last === undefined) return { mode: 'one', agents: pool };
      const start = pool.findIndex((c) => c.index > last);
      const at = start < 0 ? 0 : start;
      return { mode: 'one', agents: [...pool.slice(at), ...pool.slice(0, at)] };
    }
    case 'least-recent':
      return { mode: 'one', agents: pool.sort((a, b) => never(a.lastCallEnd) - never(b.lastCallEnd) || byIndex(a, b)) };
    case 'fewest-calls':
      return { mode: 'one', agents: pool.sort((a, b) => a.calls - b.calls || byIndex(a, b)) };
    case 'random': {
      const rnd = ctx.random ?? Math.random;
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return { mode: 'one', agents: pool };
    }
    case 'longest-idle':
      return { mode: 'one', agents: pool.sort((a, b) => never(a.idleSince) - never(b.idleSince) || byIndex(a, b)) };
    case 'skills': {
      const req = Object.keys(ctx.requiredSkills ?? {});
      const score = (c: Candidate) => req.reduce((s, k) => s + (c.skills[k] ?? 0), 0);
      return { mode: 'one', agents: pool.sort((a, b) => score(b) - score(a) || never(a.idleSince) - never(b.idleSince) || byIndex(a, b)) };
    }
  }
}

/**
 * Expected wait for the caller at `position` (1 = next), ms: the queue's
 * recent mean handle time (the last 20 answered calls; 2 minutes when there
 * is no history yet) times the callers ahead of and including this one,
 * shared among the agents logged in and not paused (at least one):
 *   EWT = ceil(position / max(1, agents)) × AHT
 * Announced rounded up to whole minutes ("about M minutes").
 */
export function expectedWaitMs(position: number, agents: number, recentHandleMs: number | undefined): number {
  const aht = recentHandleMs ?? 120_000;
  return Math.ceil(position / Math.max(1, agents)) * aht;
}
