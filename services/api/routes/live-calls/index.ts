// /api/calls/live: the calls in progress, from call-control over its local
// control channel, and recording actions on them (on-demand start/stop,
// pause/resume while a customer reads out card data).
//
// Who sees what: a superadmin every tenant (or the one named); tenant admins,
// supervisors and auditors their tenant's calls; an employee only calls of
// the extensions linked to their user, as recordings and call history decide
// "own calls" (routes/recordings/access.ts). Who may act: admins and
// supervisors of the tenant, and the employee on the call. Another tenant's
// call, or a call not theirs for an employee, answers 404 like a missing one.
// Every action, done, refused or failed, writes an audit row (who, which
// call, what, from where).
import Router from '@koa/router';
import { callIdSchema, controlSocketPath, recordingActionSchema, type CallAnswer, type CallsAnswer, type LiveCallView } from '../../../call-control';
import { isAppError } from '../../../common/errors';
import type { User } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { notFound } from '../../errors';
import { actorOf, audit, can } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { ownNumbers } from '../recordings/access';
import { CallControlClient } from './call-control-client';

function visible(deps: ApiDeps, user: User, call: LiveCallView): boolean {
  if (user.tenantId !== null && user.tenantId !== call.tenantId) return false;
  if (user.role !== 'employee') return true;
  const mine = ownNumbers(deps.store, user);
  return mine.includes(call.caller) || mine.includes(call.callee);
}

export function liveCallRoutes(deps: ApiDeps, client = new CallControlClient({ socketPath: controlSocketPath(deps.config) })): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/calls/live' });

  router.get('/', can(deps, 'calls.live.read'), async (ctx) => {
    const user = actorOf(ctx).user;
    const tenantId = tenantScope(user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const answer = await client.get<CallsAnswer>(`/calls${tenantId === undefined ? '' : `?tenantId=${tenantId}`}`);
    ctx.body = { calls: answer.calls.filter((c) => visible(deps, user, c)) };
  });

  router.post('/:id/recording', can(deps, 'calls.live.record'), async (ctx) => {
    const user = actorOf(ctx).user;
    const id = parseInput(callIdSchema, ctx.params.id ?? '');
    const { action } = parseInput(recordingActionSchema, ctx.state.body);
    const trail = (tenantId: number | null, outcome: 'ok' | 'denied' | 'failed', details: Record<string, unknown>) =>
      audit(deps, ctx, { tenantId, action: `call.recording.${action}`, target: id, outcome, details: { action, ...details } });
    const call = await lookup(client, id).catch((e: unknown) => {
      trail(user.tenantId, 'failed', { code: isAppError(e) ? e.code : 'error' });
      throw e;
    });
    if (!call || !visible(deps, user, call)) {
      trail(user.tenantId, 'denied', { code: 'call-not-found' });
      throw notFound('call', id);
    }
    const parties = { caller: call.caller, callee: call.callee };
    try {
      // The tenant's pause policy for mandatory recordings tells employees from staff above them.
      const by = user.role === 'employee' ? 'employee' : 'supervisor';
      const done = await client.post<CallAnswer>(`/calls/${encodeURIComponent(id)}/recording`, { action, by });
      trail(call.tenantId, 'ok', { ...parties, recordingId: done.call.recording.recordingId, state: done.call.recording.state });
      ctx.body = done;
    } catch (e) {
      trail(call.tenantId, 'failed', { ...parties, code: isAppError(e) ? e.code : 'error' });
      throw e;
    }
  });

  return router;
}

/** The call as call-control sees it; undefined when it has no such answered call. */
async function lookup(client: CallControlClient, id: string): Promise<LiveCallView | undefined> {
  try {
    return (await client.get<CallAnswer>(`/calls/${encodeURIComponent(id)}`)).call;
  } catch (e) {
    if (isAppError(e) && e.code === 'call-not-found') return undefined;
    throw e;
  }
}
