// /api/queues/:id/agents and /api/queues/:id/live: agents' log-in, log-out
// and pause (the UI's and customers' systems' way; phones use feature
// codes), and the queue's live state with its service-level counters. The
// queue's config itself is a call-flow resource (/api/queues, flow-resource.ts).
// What call-control does with a queued call is written to the store as it
// happens (queue_calls, queue_agents), so this reads the store, not
// call-control's memory, and works while call-control restarts.
import Router from '@koa/router';
import { z } from 'zod';
import { queueSchema, type QueueConfig, type QueueMember } from '../../../call-flows';
import { AppError } from '../../../common/errors';
import type { FlowRecord, QueueAgentRow, QueueCallRow } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { notFound } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope } from '../../scope';
import { parseInput } from '../../validate';

const agentChangeSchema = z
  .object({
    loggedIn: z.boolean().optional(),
    paused: z.boolean().optional(),
    reason: z.string().trim().max(64, 'at most 64 characters').optional(),
  })
  .refine((c) => c.loggedIn !== undefined || c.paused !== undefined, { message: 'give loggedIn or paused', path: ['loggedIn'] });

/** How long ago the counters start: since local midnight is the UI's "today"; a caller may ask for a window. */
const sinceSchema = z.coerce.number().int().min(0).optional();

export type AgentState = 'logged-out' | 'paused' | 'available' | 'on-call' | 'wrap-up';

export interface AgentView {
  extension: string;
  mode: QueueMember['mode'];
  penalty: number;
  state: AgentState;
  pauseReason: string;
  calls: number;
  missed: number;
  lastCallEnd: number | null;
}

function loadQueue(deps: ApiDeps, ctx: ApiContext): { record: FlowRecord; config: QueueConfig } {
  const id = Number(ctx.params.id);
  const r = Number.isInteger(id) && id > 0 ? deps.store.callFlows.get('queue', id) : undefined;
  if (!r || !inScope(actorOf(ctx).user, r.tenantId)) throw notFound('queue', ctx.params.id ?? '');
  const p = queueSchema.safeParse(r.config);
  if (!p.success) throw new AppError(500, 'queue-config-invalid', `queue ${r.id} has a stored config that no longer parses`);
  return { record: r, config: p.data };
}

/** An agent's state from the stored standing and the queue's calls: talking beats wrap-up beats pause. */
export function agentView(
  m: QueueMember,
  row: QueueAgentRow | undefined,
  talking: ReadonlySet<string>,
  wrapUpS: number,
  now: number,
): AgentView {
  const loggedIn = row?.loggedIn ?? m.mode === 'static';
  const last = row?.lastCallEnd ?? null;
  const state: AgentState = !loggedIn
    ? 'logged-out'
    : talking.has(m.extension)
      ? 'on-call'
      : last !== null && now - last < wrapUpS * 1000
        ? 'wrap-up'
        : row?.paused
          ? 'paused'
          : 'available';
  return {
    extension: m.extension,
    mode: m.mode,
    penalty: m.penalty,
    state,
    pauseReason: row?.paused ? row.pauseReason : '',
    calls: row?.calls ?? 0,
    missed: row?.missed ?? 0,
    lastCallEnd: last,
  };
}

function agentsOf(deps: ApiDeps, queueId: number, config: QueueConfig, now: number): AgentView[] {
  const rows = new Map(deps.store.queues.agents(queueId).map((r) => [r.extension, r]));
  const talking = new Set(deps.store.queues.talking(queueId));
  return config.members.map((m) => agentView(m, rows.get(m.extension), talking, config.wrapUp, now));
}

/** A waiting caller with its place in line (1 = next to be offered), as the wallboard shows it. */
const waitingView = (c: QueueCallRow, i: number, now: number) => ({
  position: i + 1,
  cdrId: c.cdrId,
  caller: c.caller,
  enteredAt: new Date(c.enteredAt).toISOString(),
  waitingMs: now - c.enteredAt,
});

function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function queueRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/queues' });
  const now = () => (deps.now?.() ?? new Date()).getTime();

  router.get('/:id/live', can(deps, 'queues.live.read'), async (ctx) => {
    const { record, config } = loadQueue(deps, ctx);
    const t = now();
    const since = sinceSchema.safeParse(ctx.query.since);
    const from = since.success && since.data !== undefined ? since.data : startOfDay(t);
    ctx.body = {
      queue: { id: record.id, name: record.name, strategy: config.strategy, serviceLevel: config.serviceLevel },
      waiting: deps.store.queues.waiting(record.id).map((c, i) => waitingView(c, i, t)),
      agents: agentsOf(deps, record.id, config, t),
      stats: { since: new Date(from).toISOString(), ...deps.store.queues.stats(record.id, from, config.serviceLevel, t) },
    };
  });

  router.get('/:id/agents', can(deps, 'queues.live.read'), async (ctx) => {
    const { record, config } = loadQueue(deps, ctx);
    ctx.body = { agents: agentsOf(deps, record.id, config, now()) };
  });

  router.put('/:id/agents/:extension', can(deps, 'queues.agents'), async (ctx) => {
    const { record, config } = loadQueue(deps, ctx);
    const extension = ctx.params.extension ?? '';
    const actor = actorOf(ctx).user;
    // An employee logs in and pauses only themselves (the extensions linked to their user).
    if (actor.role === 'employee' && !deps.store.extensionFeatures.numbersOfUser(actor.id).includes(extension))
      throw new AppError(404, 'queue-member-not-found', `${extension} is not a member of queue '${record.name}'`);
    const member = config.members.find((m) => m.extension === extension);
    if (!member)
      throw new AppError(404, 'queue-member-not-found', `${extension} is not a member of queue '${record.name}'`, { field: 'extension' });
    const input = parseInput(agentChangeSchema, ctx.state.body);
    if (member.mode === 'static' && input.loggedIn === false)
      throw new AppError(
        409,
        'queue-member-static',
        `${extension} is a static member of queue '${record.name}': it is always logged in (pause it instead)`,
        { field: 'loggedIn' },
      );
    const cur = deps.store.queues.agent(record.id, extension);
    const loggedIn = input.loggedIn ?? cur?.loggedIn ?? member.mode === 'static';
    if (input.paused === true && !loggedIn)
      throw new AppError(409, 'queue-agent-logged-out', `${extension} is not logged in to queue '${record.name}'`, { field: 'paused' });
    const row = deps.store.queues.setAgent(
      record.id,
      extension,
      {
        ...(input.loggedIn !== undefined ? { loggedIn: input.loggedIn } : {}),
        ...(input.paused !== undefined ? { paused: input.paused } : {}),
        ...(input.reason !== undefined ? { pauseReason: input.reason } : {}),
      },
      member.mode === 'static',
    );
    audit(deps, ctx, {
      tenantId: record.tenantId,
      action: 'queue.agent',
      target: `queue:${record.id}/${extension}`,
      details: { loggedIn: row.loggedIn, paused: row.paused, reason: row.pauseReason },
    });
    const t = now();
    ctx.body = { agent: agentView(member, row, new Set(deps.store.queues.talking(record.id)), config.wrapUp, t) };
  });

  return router;
}

/**
 * /api/my-queues: the agent's own view. The queues of the signed-in user's
 * tenant that one of their extensions is a member of, with that member's
 * state, so an employee (who may not list queues) can log in and pause.
 * Its own prefix: under /api/queues it would meet the call-flow resource's /:id.
 */
export function myQueueRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/my-queues' });
  router.get('/', can(deps, 'queues.agents'), async (ctx) => {
    const user = actorOf(ctx).user;
    const mine = new Set(deps.store.extensionFeatures.numbersOfUser(user.id));
    const t = (deps.now?.() ?? new Date()).getTime();
    const queues = [];
    for (const record of user.tenantId === null ? [] : deps.store.callFlows.list('queue', user.tenantId)) {
      const p = queueSchema.safeParse(record.config);
      if (!p.success) continue; // a stored config that no longer parses is the admin's page's problem, not the agent's
      const members = p.data.members.filter((m) => mine.has(m.extension));
      if (members.length === 0) continue;
      const rows = new Map(deps.store.queues.agents(record.id).map((r) => [r.extension, r]));
      const talking = new Set(deps.store.queues.talking(record.id));
      queues.push({
        id: record.id,
        name: record.name,
        agents: members.map((m) => agentView(m, rows.get(m.extension), talking, p.data.wrapUp, t)),
      });
    }
    ctx.body = { queues };
  });
  return router;
}
