// One REST resource per call-flow kind (/api/ring-groups, /api/ivr-menus,
// /api/schedules, /api/announcements, /api/call-lists, /api/queues), all alike: list,
// read, create, replace, delete. A write is parsed by the kind's schema
// (400, fields named), then checked against the tenant's whole call flow
// (422: missing references, loops), and only then stored and audited. A
// delete is refused (409) while anything points at the object.
import Router from '@koa/router';
import type { z } from 'zod';
import { referrersOf, validateSubject, type FeatureKind, type FlowConfig } from '../../../call-flows';
import type { FlowKind, FlowRecord } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { notFound } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { targetTenant } from '../extensions/extensions';
import { flowInvalid, inUse, loadFlowConfig, parseFlow, schemas } from './flow-config';

export interface FlowResource {
  kind: FlowKind;
  prefix: string;
  /** JSON keys of one and many: `ringGroup`, `ringGroups`. */
  one: string;
  many: string;
  /** The FlowConfig map the candidate goes into. */
  slot: 'ringGroups' | 'ivrs' | 'schedules' | 'announcements' | 'lists' | 'queues';
}

export const view = (r: FlowRecord) => ({
  id: r.id,
  tenantId: r.tenantId,
  ...(r.config as object),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** The config with `candidate` written in as object `id` (0 for one not stored yet). */
export function withCandidate(c: FlowConfig, slot: FlowResource['slot'], id: number, candidate: unknown): FlowConfig {
  const m = new Map(c[slot] as ReadonlyMap<number, unknown>);
  m.set(id, candidate);
  return { ...c, [slot]: m };
}

export function load(deps: ApiDeps, ctx: ApiContext, res: FlowResource): FlowRecord {
  const id = Number(ctx.params.id);
  const r = Number.isInteger(id) && id > 0 ? deps.store.callFlows.get(res.kind, id) : undefined;
  if (!r || !inScope(actorOf(ctx).user, r.tenantId)) throw notFound(res.kind, ctx.params.id ?? '');
  return r;
}

function tenantIdOf(body: unknown): number | undefined {
  const t = (body as { tenantId?: unknown } | null)?.tenantId;
  return typeof t === 'number' && Number.isInteger(t) && t > 0 ? t : undefined;
}

function bodyWithout(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { tenantId: _t, id: _i, createdAt: _c, updatedAt: _u, ...rest } = body as Record<string, unknown>;
  return rest;
}

export function flowResourceRoutes(deps: ApiDeps, res: FlowResource): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: res.prefix });
  const schema = schemas[res.kind] as z.ZodType<{ name: string }>;

  const check = (tenantId: number, id: number, candidate: unknown) => {
    const c = withCandidate(loadFlowConfig(deps, tenantId), res.slot, id, candidate);
    const problems = validateSubject(c, res.kind === 'list' ? { kind: 'list', id } : { kind: res.kind, id });
    if (problems.length) throw flowInvalid(problems);
  };

  router.get('/', can(deps, 'callflows.read'), async (ctx) => {
    const scope = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    ctx.body = { [res.many]: deps.store.callFlows.list(res.kind, scope).map(view) };
  });

  router.get('/:id', can(deps, 'callflows.read'), async (ctx) => {
    ctx.body = { [res.one]: view(load(deps, ctx, res)) };
  });

  router.post('/', can(deps, 'callflows.write'), async (ctx) => {
    const input = parseFlow(schema, bodyWithout(ctx.state.body));
    const tenant = targetTenant(deps, ctx, tenantIdOf(ctx.state.body));
    check(tenant.id, 0, input);
    const r = deps.store.callFlows.create(res.kind, tenant.id, input);
    audit(deps, ctx, { tenantId: tenant.id, action: `${res.kind}.create`, target: `${res.kind}:${r.id}`, details: { name: r.name } });
    ctx.status = 201;
    ctx.body = { [res.one]: view(r) };
  });

  router.put('/:id', can(deps, 'callflows.write'), async (ctx) => {
    const cur = load(deps, ctx, res);
    const input = parseFlow(schema, bodyWithout(ctx.state.body));
    check(cur.tenantId, cur.id, input);
    const r = deps.store.callFlows.update(res.kind, cur.id, input)!;
    audit(deps, ctx, {
      tenantId: cur.tenantId,
      action: `${res.kind}.update`,
      target: `${res.kind}:${cur.id}`,
      details: { name: r.name, before: cur.name === r.name ? undefined : cur.name },
    });
    ctx.body = { [res.one]: view(r) };
  });

  router.delete('/:id', can(deps, 'callflows.write'), async (ctx) => {
    const cur = load(deps, ctx, res);
    if (res.kind !== 'list') {
      const users = referrersOf(loadFlowConfig(deps, cur.tenantId), res.kind as FeatureKind, cur.id);
      if (users.length) throw inUse(`${res.kind.replace('-', ' ')} '${cur.name}'`, users);
    }
    deps.store.callFlows.delete(res.kind, cur.id);
    audit(deps, ctx, {
      tenantId: cur.tenantId,
      action: `${res.kind}.delete`,
      target: `${res.kind}:${cur.id}`,
      details: { name: cur.name },
    });
    ctx.status = 204;
  });

  return router;
}
