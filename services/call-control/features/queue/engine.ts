// The queues of this process: who waits in which queue, in order, and what
// each agent is doing right now (ringing for a queued caller, talking, in
// wrap-up). A waiting caller asks `next(entry)` for its turn; `dispatch`
// hands free agents to the waiting callers in order whenever something
// changes (a caller joins, an agent is freed or misses an offer, wrap-up
// ends) and on a one-second tick, which also notices agents logging in or
// pausing through the api (the store is the shared truth for that), sends
// callers who waited `maxWait` or whose queue emptied to the overflow.
//
// An agent is offered one call at a time across all queues of the box: a
// ringing, talking or wrapping agent is not free anywhere, nor is one on any
// other call (deps.busy, the live calls).
import type { QueueConfig } from '../../../call-flows';
import type { Call } from '../../call/call';
import type { QueueDeps } from './deps';
import { pickAgents, type Candidate } from './picker';

export type Turn =
  { kind: 'offer'; mode: 'all' | 'one'; agents: Candidate[] } | { kind: 'leave'; outcome: 'timeout' | 'empty' } | { kind: 'ended' };

export interface Entry {
  call: Call;
  rowId: number;
  enteredAt: number;
  /** Ringing an agent now: not offered another. */
  offering: boolean;
  /** Agents who missed or could not take this caller's offer; cleared when nobody else is left. */
  declined: Set<string>;
  /** Not offered before this (the greeting is playing; a retry pause after everyone declined). */
  notBefore: number;
  turn?: ((t: Turn) => void) | undefined;
}

export interface QueueState {
  key: string;
  tenantId: number;
  queueId: number;
  config: QueueConfig;
  deps: QueueDeps;
  waiting: Entry[];
  lastOffered?: number | undefined;
  tick?: NodeJS.Timeout | undefined;
}

type Runtime = { state: 'ringing' | 'talking' } | { state: 'wrap-up'; until: number };

/** After every free agent missed a caller, wait this long before offering them again (app_queue's `retry`). */
export const RETRY_MS = 2000;
const TICK_MS = 1000;

export class QueueEngine {
  private readonly queues = new Map<string, QueueState>();
  /** `${tenantId}:${extension}` → what the agent is doing for a queue; absent when free. */
  private readonly runtime = new Map<string, Runtime>();
  /** `${tenantId}:${extension}` → free since (ms): longest-idle across queues. */
  private readonly idleSince = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The queue's state, with the config just loaded for this caller. */
  state(tenantId: number, queueId: number, config: QueueConfig, deps: QueueDeps): QueueState {
    const key = `${tenantId}:${queueId}`;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { key, tenantId, queueId, config, deps, waiting: [] }));
    q.config = config;
    q.deps = deps;
    return q;
  }

  /** Agents logged in and not paused (the expected wait divides by them; joining an empty queue is refused on none). */
  staffed(q: QueueState): number {
    const rows = new Map(q.deps.store.agents(q.queueId).map((r) => [r.extension, r]));
    return q.config.members.filter((m) => {
      const r = rows.get(m.extension);
      return (r?.loggedIn ?? m.mode === 'static') && !r?.paused;
    }).length;
  }

  loggedIn(q: QueueState): number {
    const rows = new Map(q.deps.store.agents(q.queueId).map((r) => [r.extension, r]));
    return q.config.members.filter((m) => rows.get(m.extension)?.loggedIn ?? m.mode === 'static').length;
  }

  position(q: QueueState, e: Entry): number {
    return q.waiting.indexOf(e) + 1;
  }

  enter(q: QueueState, call: Call, rowId: number, notBefore: number): Entry {
    const e: Entry = { call, rowId, enteredAt: this.now(), offering: false, declined: new Set(), notBefore };
    q.waiting.push(e);
    q.tick ??= setInterval(() => this.dispatch(q), TICK_MS);
    return e;
  }

  /** Resolves with the caller's turn: an offer, leaving for the overflow, or the call ended. */
  next(q: QueueState, e: Entry): Promise<Turn> {
    return new Promise<Turn>((resolve) => {
      e.turn = resolve;
      this.dispatch(q);
    });
  }

  ready(q: QueueState, e: Entry): void {
    e.notBefore = 0;
    this.dispatch(q);
  }

  /** The caller left the queue (answered, overflowed, hung up). */
  leave(q: QueueState, e: Entry, turn: Turn = { kind: 'ended' }): void {
    const i = q.waiting.indexOf(e);
    if (i >= 0) q.waiting.splice(i, 1);
    const t = e.turn;
    e.turn = undefined;
    t?.(turn);
    if (q.waiting.length === 0 && q.tick) {
      clearInterval(q.tick);
      q.tick = undefined;
    }
  }

  /** Offered agents who did not take the call are free again. */
  release(tenantId: number, extensions: readonly string[]): void {
    for (const x of extensions) if (this.runtime.get(`${tenantId}:${x}`)?.state === 'ringing') this.runtime.delete(`${tenantId}:${x}`);
    this.dispatchTenant(tenantId);
  }

  talking(tenantId: number, extension: string): void {
    this.runtime.set(`${tenantId}:${extension}`, { state: 'talking' });
  }

  /** The agent's queue call ended: wrap-up, then free (and the waiting callers are looked at again). */
  callEnded(tenantId: number, extension: string, wrapUpS: number): void {
    const key = `${tenantId}:${extension}`;
    const until = this.now() + wrapUpS * 1000;
    this.idleSince.set(key, until);
    if (wrapUpS <= 0) {
      this.runtime.delete(key);
      this.dispatchTenant(tenantId);
      return;
    }
    this.runtime.set(key, { state: 'wrap-up', until });
    setTimeout(() => {
      const r = this.runtime.get(key);
      if (r?.state === 'wrap-up' && r.until <= this.now()) this.runtime.delete(key);
      this.dispatchTenant(tenantId);
    }, wrapUpS * 1000).unref();
  }

  agentState(tenantId: number, extension: string): Runtime['state'] | 'free' {
    const r = this.runtime.get(`${tenantId}:${extension}`);
    if (r?.state === 'wrap-up' && r.until <= this.now()) return 'free';
    return r?.state ?? 'free';
  }

  private dispatchTenant(tenantId: number): void {
    for (const q of this.queues.values()) if (q.tenantId === tenantId && q.waiting.length > 0) this.dispatch(q);
  }

  /** Hands free agents to waiting callers in order; sends callers past maxWait, or of an emptied queue, to the overflow. */
  dispatch(q: QueueState): void {
    if (q.waiting.length === 0) return;
    const now = this.now();
    const { config, deps } = q;
    let rows;
    try {
      rows = new Map(deps.store.agents(q.queueId).map((r) => [r.extension, r]));
    } catch (err) {
      // A busy database: the next tick tries again; callers keep waiting.
      q.waiting[0]?.call.log.warn('queue agents not readable', { err: err instanceof Error ? err.message : String(err) });
      return;
    }
    const loggedIn = config.members.filter((m) => rows.get(m.extension)?.loggedIn ?? m.mode === 'static');
    for (const e of [...q.waiting]) {
      if (e.offering || !e.turn) continue;
      if (config.maxWait > 0 && now - e.enteredAt >= config.maxWait * 1000) this.leave(q, e, { kind: 'leave', outcome: 'timeout' });
      else if (!config.joinEmpty && loggedIn.length === 0) this.leave(q, e, { kind: 'leave', outcome: 'empty' });
    }
    const available = loggedIn
      .map((m) => ({ m, index: config.members.indexOf(m), row: rows.get(m.extension) }))
      .filter(({ m, row }) => !row?.paused && this.agentState(q.tenantId, m.extension) === 'free' && !deps.busy(q.tenantId, m.extension))
      .map(({ m, index, row }): Candidate => ({
        extension: m.extension,
        index,
        penalty: m.penalty,
        skills: m.skills,
        calls: row?.calls ?? 0,
        lastCallEnd: row?.lastCallEnd ?? null,
        idleSince: this.idleSince.get(`${q.tenantId}:${m.extension}`) ?? null,
      }));
    let free = available;
    for (const e of q.waiting) {
      if (free.length === 0) break;
      if (e.offering || !e.turn || now < e.notBefore) continue;
      const mine = free.filter((c) => !e.declined.has(c.extension));
      if (mine.length === 0) {
        // Everyone free already missed this caller: start over after a pause rather than ring the same phone back to back.
        e.declined.clear();
        e.notBefore = now + RETRY_MS;
        continue;
      }
      const pick = pickAgents(config.strategy, mine, { lastOffered: q.lastOffered, requiredSkills: config.requiredSkills });
      if (pick.agents.length === 0) continue;
      const offer = pick.mode === 'all' ? pick.agents : pick.agents.slice(0, 1);
      for (const a of offer) this.runtime.set(`${q.tenantId}:${a.extension}`, { state: 'ringing' });
      q.lastOffered = offer[0]!.index;
      free = free.filter((c) => !offer.includes(c));
      e.offering = true;
      const t = e.turn;
      e.turn = undefined;
      t({ kind: 'offer', mode: pick.mode, agents: offer });
    }
  }
}
