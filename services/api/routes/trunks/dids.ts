// /api/dids: inbound numbers of a tenant and where they go — any call-flow
// destination (services/call-flows), or null for the tenant's main
// destination. Numbers are stored canonical (E.164 for public numbers).
import Router from '@koa/router';
import { validateSubject } from '../../../call-flows';
import type { FieldProblem } from '../../../common/errors';
import type { Did, DidDestination } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { flowInvalid, loadFlowConfig } from '../call-flows/flow-config';
import { targetTenant } from '../extensions/extensions';
import { createDidSchema, updateDidSchema } from './schema';

function loadDid(deps: ApiDeps, ctx: ApiContext): Did {
  const id = Number(ctx.params.id);
  const did = Number.isInteger(id) && id > 0 ? deps.store.trunks.getDid(id) : undefined;
  if (!did || !inScope(actorOf(ctx).user, did.tenantId)) throw notFound('did', ctx.params.id ?? '');
  return did;
}

/** 400 for what the form names (an extension, a trunk), then 422 for the call flow (missing objects, loops). */
function check(deps: ApiDeps, tenantId: number, id: number, number: string, destination: DidDestination, trunkId: number | null | undefined): void {
  const problems: FieldProblem[] = [];
  if (destination?.type === 'extension' && !deps.store.extensionFeatures.numbers(tenantId).extensions.has(destination.extension))
    problems.push({ field: 'destination.extension', message: `no extension ${destination.extension} in this tenant` });
  const trunk = trunkId ? deps.store.trunks.get(trunkId) : undefined;
  if (trunkId && trunk?.tenantId !== tenantId) problems.push({ field: 'trunkId', message: 'no such trunk in this tenant' });
  if (problems.length) throw validationFailed(problems);
  const base = loadFlowConfig(deps, tenantId);
  const config = { ...base, dids: [...base.dids.filter((d) => d.id !== id), { id, number, destination }] };
  const flow = validateSubject(config, { kind: 'did', id });
  if (flow.length) throw flowInvalid(flow);
}

export function didRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/dids' });

  router.get('/', can(deps, 'trunks.read'), async (ctx) => {
    ctx.body = { dids: deps.store.trunks.listDids(tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')))) };
  });

  router.post('/', can(deps, 'trunks.write'), async (ctx) => {
    const input = parseInput(createDidSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    check(deps, tenant.id, 0, input.number, input.destination, input.trunkId);
    const did = deps.store.trunks.createDid(tenant.id, { number: input.number, trunkId: input.trunkId ?? null, destination: input.destination });
    audit(deps, ctx, { tenantId: tenant.id, action: 'did.create', target: `did:${did.id}`, details: { number: did.number, destination: did.destination } });
    ctx.status = 201;
    ctx.body = { did };
  });

  router.patch('/:id', can(deps, 'trunks.write'), async (ctx) => {
    const cur = loadDid(deps, ctx);
    const input = parseInput(updateDidSchema, ctx.state.body);
    const next = { trunkId: input.trunkId === undefined ? cur.trunkId : input.trunkId, destination: input.destination === undefined ? cur.destination : input.destination };
    check(deps, cur.tenantId, cur.id, cur.number, next.destination, next.trunkId);
    const did = deps.store.trunks.updateDid(cur.id, next)!;
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'did.update', target: `did:${did.id}`, details: { number: did.number, destination: did.destination, before: cur.destination } });
    ctx.body = { did };
  });

  router.delete('/:id', can(deps, 'trunks.write'), async (ctx) => {
    const did = loadDid(deps, ctx);
    deps.store.trunks.deleteDid(did.id);
    deps.store.callFlows.deleteNotice(did.tenantId, 'did', did.number);
    audit(deps, ctx, { tenantId: did.tenantId, action: 'did.delete', target: `did:${did.id}`, details: { number: did.number } });
    ctx.status = 204;
  });

  return router;
}
