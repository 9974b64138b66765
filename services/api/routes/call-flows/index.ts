// /api/call-flows: where a number's calls go (the tree), a dry run, the
// tenant's main destination and recording notices; plus the resources of
// each call-flow kind (flow-resource.ts) and a schedule's day/night switch
// and production-calendar import (schedules.ts).
import Router from '@koa/router';
import { z } from 'zod';
import { destinationSchema, dryRun, numberTree, recordingNoticeSchema, validateSubject } from '../../../call-flows';
import { noticeScopes } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { AppError } from '../../errors';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { targetTenant } from '../extensions/extensions';
import { flowInvalid, loadFlowConfig } from './flow-config';
import { flowResourceRoutes, type FlowResource } from './flow-resource';
import { scheduleRoutes } from './schedules';

export const flowResources: FlowResource[] = [
  { kind: 'ring-group', prefix: '/api/ring-groups', one: 'ringGroup', many: 'ringGroups', slot: 'ringGroups' },
  { kind: 'ivr', prefix: '/api/ivr-menus', one: 'ivrMenu', many: 'ivrMenus', slot: 'ivrs' },
  { kind: 'schedule', prefix: '/api/schedules', one: 'schedule', many: 'schedules', slot: 'schedules' },
  { kind: 'announcement', prefix: '/api/announcements', one: 'announcement', many: 'announcements', slot: 'announcements' },
  { kind: 'list', prefix: '/api/call-lists', one: 'list', many: 'lists', slot: 'lists' },
  { kind: 'queue', prefix: '/api/queues', one: 'queue', many: 'queues', slot: 'queues' },
];

const dryRunSchema = z.object({
  number: z.string().trim().min(1, 'required').max(32, 'at most 32 characters'),
  caller: z.string().trim().max(32, 'at most 32 characters').nullable().optional(),
  at: z.iso.datetime({ offset: true, message: 'must be an ISO date and time, e.g. 2026-12-05T21:00:00+03:00' }).optional(),
  keys: z
    .array(z.string().regex(/^([0-9*#]{1,6}|timeout)$/, 'a key 0–9 * #, 2–6 digits, or timeout'))
    .max(10, 'at most 10 keys')
    .optional(),
  /** Nobody answers: ring groups and queues go on to their overflow. */
  noAnswer: z.boolean().optional(),
  tenantId: z.number().int().positive().optional(),
});

const mainSchema = z.object({ destination: destinationSchema.nullable(), tenantId: z.number().int().positive().optional() });

const noticeSchema = z.object({
  scope: z.enum(noticeScopes, { message: 'must be did, route or queue' }),
  ref: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  notice: recordingNoticeSchema.nullable(),
  tenantId: z.number().int().positive().optional(),
});

export function callFlowRoutes(deps: ApiDeps): Router<ApiState>[] {
  const router = new Router<ApiState>({ prefix: '/api/call-flows' });

  router.get('/view', can(deps, 'callflows.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    const number = typeof ctx.query.number === 'string' ? ctx.query.number : '';
    const config = loadFlowConfig(deps, tenant.id);
    if (!number) {
      ctx.body = {
        numbers: config.dids.map((d) => ({ number: d.number, tree: numberTree(config, d.number) })),
        main: config.mainDestination,
      };
      return;
    }
    const tree = numberTree(config, number);
    if (!tree) throw new AppError(404, 'number-not-found', `${number} is not an inbound number of this organisation`);
    ctx.body = { number: tree.name, tree };
  });

  router.post('/dry-run', can(deps, 'callflows.read'), async (ctx) => {
    const input = parseInput(dryRunSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const at = input.at ? new Date(input.at) : (deps.now?.() ?? new Date());
    ctx.body = {
      result: dryRun(loadFlowConfig(deps, tenant.id), { number: input.number, caller: input.caller ?? null, at, keys: input.keys, noAnswer: input.noAnswer }),
    };
  });

  router.get('/main', can(deps, 'callflows.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    ctx.body = { destination: deps.store.callFlows.mainDestination(tenant.id) };
  });

  router.put('/main', can(deps, 'callflows.write'), async (ctx) => {
    const input = parseInput(mainSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const config = { ...loadFlowConfig(deps, tenant.id), mainDestination: input.destination };
    const problems = validateSubject(config, { kind: 'main' });
    if (problems.length) throw flowInvalid(problems);
    deps.store.callFlows.setMainDestination(tenant.id, input.destination);
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'call-flows.main',
      target: `tenant:${tenant.id}`,
      details: { destination: input.destination },
    });
    ctx.body = { destination: input.destination };
  });

  router.get('/recording-notices', can(deps, 'callflows.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    ctx.body = {
      notices: deps.store.callFlows
        .notices(tenant.id)
        .map((n) => ({ scope: n.scope, ref: n.ref, ...(n.config as object), updatedAt: n.updatedAt })),
    };
  });

  router.put('/recording-notices', can(deps, 'callflows.write'), async (ctx) => {
    const input = parseInput(noticeSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    if (input.scope === 'did' && !deps.store.trunks.listDids(tenant.id).some((d) => d.number === input.ref))
      throw flowInvalid([{ field: 'ref', message: `${input.ref} is not an inbound number of this organisation` }]);
    if (input.scope === 'queue' && (!/^\d+$/.test(input.ref) || deps.store.callFlows.get('queue', Number(input.ref))?.tenantId !== tenant.id))
      throw flowInvalid([{ field: 'ref', message: `queue ${input.ref} does not exist` }]);
    if (input.scope === 'route' && !deps.store.outboundRoutes.list(tenant.id).some((r) => r.id === input.ref))
      throw flowInvalid([{ field: 'ref', message: `outbound route ${input.ref} does not exist` }]);
    const noticePrompt = input.notice?.prompt ?? null;
    if (noticePrompt !== null && deps.store.prompts.get(noticePrompt)?.tenantId !== tenant.id)
      throw flowInvalid([{ field: 'notice.prompt', message: `prompt ${noticePrompt} does not exist` }]);
    if (input.notice === null) deps.store.callFlows.deleteNotice(tenant.id, input.scope, input.ref);
    else deps.store.callFlows.setNotice(tenant.id, input.scope, input.ref, input.notice);
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'call-flows.recording-notice',
      target: `${input.scope}:${input.ref}`,
      details: { notice: input.notice },
    });
    ctx.body = { scope: input.scope, ref: input.ref, notice: input.notice };
  });

  return [router, scheduleRoutes(deps), ...flowResources.map((r) => flowResourceRoutes(deps, r))];
}
