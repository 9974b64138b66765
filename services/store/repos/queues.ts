// Queue agents' standing and queued callers (migration 0060). call-control
// writes what happens to a queued call as it happens (enter, answer, end);
// the api logs agents in and out, pauses them, and reads the service-level
// counters and the live list from here. The queue's config is a call-flow
// object (CallFlowsRepo, kind 'queue').
import type { Db } from '../db';

export interface QueueAgentRow {
  queueId: number;
  extension: string;
  loggedIn: boolean;
  paused: boolean;
  pauseReason: string;
  /** Queue calls answered (fewest-calls). */
  calls: number;
  /** Offers missed in a row (auto-pause). */
  missed: number;
  /** When the agent's last queue call ended, ms since the epoch (longest-idle, least-recent). */
  lastCallEnd: number | null;
  updatedAt: string;
}

export const queueOutcomes = ['waiting', 'answered', 'abandoned', 'timeout', 'full', 'empty', 'lost'] as const;
export type QueueOutcome = (typeof queueOutcomes)[number];

export interface QueueCallRow {
  id: number;
  tenantId: number;
  queueId: number;
  cdrId: string;
  caller: string;
  enteredAt: number;
  position: number;
  outcome: QueueOutcome;
  agent: string | null;
  answeredAt: number | null;
  endedAt: number | null;
  announced: number;
}

export interface QueueStats {
  /** Callers who entered the queue since `since` (those turned away at the door included). */
  offered: number;
  answered: number;
  /** Answered within the queue's service-level seconds. */
  answeredWithin: number;
  /** Hung up while waiting. */
  abandoned: number;
  /** Left for the overflow: waited too long, queue full, no agents. */
  overflowed: number;
  waiting: number;
  /** answeredWithin / answered × 100 (app_queue's SL), null with no answered call. */
  serviceLevel: number | null;
  /** Mean wait of answered and abandoned callers, ms. */
  avgWaitMs: number | null;
  /** Mean talk time of answered calls that ended, ms. */
  avgHandleMs: number | null;
  longestWaitingMs: number | null;
}

interface AgentDbRow {
  queue_id: number;
  extension: string;
  logged_in: number;
  paused: number;
  pause_reason: string;
  calls: number;
  missed: number;
  last_call_end: number | null;
  updated_at: string;
}

interface CallDbRow {
  id: number;
  tenant_id: number;
  queue_id: number;
  cdr_id: string;
  caller: string;
  entered_at: number;
  position: number;
  outcome: QueueOutcome;
  agent: string | null;
  answered_at: number | null;
  ended_at: number | null;
  announced: number;
}

const agentOf = (r: AgentDbRow): QueueAgentRow => ({
  queueId: r.queue_id,
  extension: r.extension,
  loggedIn: r.logged_in === 1,
  paused: r.paused === 1,
  pauseReason: r.pause_reason,
  calls: r.calls,
  missed: r.missed,
  lastCallEnd: r.last_call_end,
  updatedAt: r.updated_at,
});

const callOf = (r: CallDbRow): QueueCallRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  queueId: r.queue_id,
  cdrId: r.cdr_id,
  caller: r.caller,
  enteredAt: r.entered_at,
  position: r.position,
  outcome: r.outcome,
  agent: r.agent,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  announced: r.announced,
});

export class QueuesRepo {
  constructor(private readonly db: Db) {}

  agents(queueId: number): QueueAgentRow[] {
    return (this.db.prepare('SELECT * FROM queue_agents WHERE queue_id = ? ORDER BY extension').all(queueId) as AgentDbRow[]).map(agentOf);
  }

  agent(queueId: number, extension: string): QueueAgentRow | undefined {
    const r = this.db.prepare('SELECT * FROM queue_agents WHERE queue_id = ? AND extension = ?').get(queueId, extension) as
      AgentDbRow | undefined;
    return r && agentOf(r);
  }

  /**
   * Logs in/out or pauses an agent. `loggedInByDefault` is what a missing
   * row means (true for static members): the first change writes the row.
   * Logging out clears a pause; a change resets the missed-in-a-row count.
   */
  setAgent(
    queueId: number,
    extension: string,
    change: { loggedIn?: boolean; paused?: boolean; pauseReason?: string },
    loggedInByDefault: boolean,
    now = new Date(),
  ): QueueAgentRow {
    return this.db.transaction(() => {
      const cur = this.agent(queueId, extension);
      const loggedIn = change.loggedIn ?? cur?.loggedIn ?? loggedInByDefault;
      const paused = loggedIn ? (change.paused ?? cur?.paused ?? false) : false;
      const reason = paused ? (change.pauseReason ?? (change.paused === undefined ? cur?.pauseReason : undefined) ?? '') : '';
      this.db
        .prepare(
          `INSERT INTO queue_agents (queue_id, extension, logged_in, paused, pause_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (queue_id, extension) DO UPDATE SET logged_in = excluded.logged_in, paused = excluded.paused, pause_reason = excluded.pause_reason, missed = 0, updated_at = excluded.updated_at`,
        )
        .run(queueId, extension, loggedIn ? 1 : 0, paused ? 1 : 0, reason, now.toISOString());
      return this.agent(queueId, extension)!;
    })();
  }

  /** An offer missed; returns the misses in a row. */
  agentMissed(queueId: number, extension: string, loggedInByDefault: boolean, now = new Date()): number {
    this.db
      .prepare(
        `INSERT INTO queue_agents (queue_id, extension, logged_in, missed, updated_at) VALUES (?, ?, ?, 1, ?)
         ON CONFLICT (queue_id, extension) DO UPDATE SET missed = missed + 1`,
      )
      .run(queueId, extension, loggedInByDefault ? 1 : 0, now.toISOString());
    return this.agent(queueId, extension)!.missed;
  }

  agentAnswered(queueId: number, extension: string, loggedInByDefault: boolean, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO queue_agents (queue_id, extension, logged_in, calls, updated_at) VALUES (?, ?, ?, 1, ?)
         ON CONFLICT (queue_id, extension) DO UPDATE SET calls = calls + 1, missed = 0`,
      )
      .run(queueId, extension, loggedInByDefault ? 1 : 0, now.toISOString());
  }

  agentCallEnded(queueId: number, extension: string, at: number): void {
    this.db.prepare('UPDATE queue_agents SET last_call_end = ? WHERE queue_id = ? AND extension = ?').run(at, queueId, extension);
  }

  enter(c: {
    tenantId: number;
    queueId: number;
    cdrId: string;
    caller: string;
    at: number;
    position: number;
    outcome?: QueueOutcome;
  }): number {
    const info = this.db
      .prepare(
        'INSERT INTO queue_calls (tenant_id, queue_id, cdr_id, caller, entered_at, position, outcome, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        c.tenantId,
        c.queueId,
        c.cdrId,
        c.caller,
        c.at,
        c.position,
        c.outcome ?? 'waiting',
        c.outcome && c.outcome !== 'waiting' ? c.at : null,
      );
    return Number(info.lastInsertRowid);
  }

  answered(id: number, agent: string, at: number): void {
    this.db
      .prepare("UPDATE queue_calls SET outcome = 'answered', agent = ?, answered_at = ? WHERE id = ? AND outcome = 'waiting'")
      .run(agent, at, id);
  }

  /** A waiting caller left (`abandoned`, `timeout`, `empty`), or an answered call ended (outcome kept). */
  ended(id: number, outcome: Exclude<QueueOutcome, 'waiting' | 'answered'>, at: number): void {
    this.db
      .prepare(
        "UPDATE queue_calls SET outcome = CASE WHEN outcome = 'waiting' THEN ? ELSE outcome END, ended_at = coalesce(ended_at, ?) WHERE id = ?",
      )
      .run(outcome, at, id);
  }

  announced(id: number): void {
    this.db.prepare('UPDATE queue_calls SET announced = announced + 1 WHERE id = ?').run(id);
  }

  call(id: number): QueueCallRow | undefined {
    const r = this.db.prepare('SELECT * FROM queue_calls WHERE id = ?').get(id) as CallDbRow | undefined;
    return r && callOf(r);
  }

  callsOf(cdrId: string): QueueCallRow[] {
    return (this.db.prepare('SELECT * FROM queue_calls WHERE cdr_id = ? ORDER BY id').all(cdrId) as CallDbRow[]).map(callOf);
  }

  waiting(queueId: number): QueueCallRow[] {
    return (
      this.db
        .prepare("SELECT * FROM queue_calls WHERE queue_id = ? AND outcome = 'waiting' ORDER BY entered_at, id")
        .all(queueId) as CallDbRow[]
    ).map(callOf);
  }

  /** Agents talking to a caller of this queue now. */
  talking(queueId: number): string[] {
    return (
      this.db
        .prepare("SELECT agent FROM queue_calls WHERE queue_id = ? AND outcome = 'answered' AND ended_at IS NULL AND agent IS NOT NULL")
        .all(queueId) as { agent: string }[]
    ).map((r) => r.agent);
  }

  /** Mean talk time of the last `n` answered calls that ended, ms; undefined with none. */
  recentHandleMs(queueId: number, n = 20): number | undefined {
    const r = this.db
      .prepare(
        "SELECT avg(ended_at - answered_at) AS a FROM (SELECT answered_at, ended_at FROM queue_calls WHERE queue_id = ? AND outcome = 'answered' AND ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT ?)",
      )
      .get(queueId, n) as { a: number | null };
    return r.a === null ? undefined : r.a;
  }

  stats(queueId: number, since: number, serviceLevelS: number, now: number): QueueStats {
    const slMs = serviceLevelS * 1000;
    const r = this.db
      .prepare(
        `SELECT count(*) AS offered,
                coalesce(sum(outcome = 'answered'), 0) AS answered,
                coalesce(sum(outcome = 'answered' AND answered_at - entered_at <= @sl), 0) AS within,
                coalesce(sum(outcome = 'abandoned'), 0) AS abandoned,
                coalesce(sum(outcome IN ('timeout', 'full', 'empty')), 0) AS overflowed,
                coalesce(sum(outcome = 'waiting'), 0) AS waiting,
                avg(CASE WHEN outcome = 'answered' THEN answered_at - entered_at WHEN outcome = 'abandoned' THEN ended_at - entered_at END) AS wait,
                avg(CASE WHEN outcome = 'answered' AND ended_at IS NOT NULL THEN ended_at - answered_at END) AS handle,
                max(CASE WHEN outcome = 'waiting' THEN @now - entered_at END) AS longest
           FROM queue_calls WHERE queue_id = @q AND entered_at >= @since`,
      )
      .get({ q: queueId, since, sl: slMs, now }) as {
      offered: number;
      answered: number;
      within: number;
      abandoned: number;
      overflowed: number;
      waiting: number;
      wait: number | null;
      handle: number | null;
      longest: number | null;
    };
    return {
      offered: r.offered,
      answered: r.answered,
      answeredWithin: r.within,
      abandoned: r.abandoned,
      overflowed: r.overflowed,
      waiting: r.waiting,
      serviceLevel: r.answered > 0 ? Math.round((r.within / r.answered) * 1000) / 10 : null,
      avgWaitMs: r.wait === null ? null : Math.round(r.wait),
      avgHandleMs: r.handle === null ? null : Math.round(r.handle),
      longestWaitingMs: r.longest,
    };
  }

  /** At call-control's start: callers recorded as waiting or talking belong to a process that is gone. */
  closeStale(at: number): number {
    return this.db
      .prepare(
        "UPDATE queue_calls SET outcome = CASE WHEN outcome = 'waiting' THEN 'lost' ELSE outcome END, ended_at = ? WHERE ended_at IS NULL",
      )
      .run(at).changes;
  }
}
