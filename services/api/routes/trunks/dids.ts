// /api/dids: inbound numbers of a tenant and where they go (an extension for
// now; the destination is a typed union so IVRs and queues join later).
import Router from '@koa/router';
import type { FieldProblem } from '../../../common/errors';
import type { ApiDeps, ApiState } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { actorOf, audit, can } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { targetTenant } from '../extensions/extensions';
import { createDidSchema } from './schema';

export function didRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/dids' });

  router.get('/', can(deps, 'trunks.read'), async (ctx) => {
    ctx.body = { dids: deps.store.trunks.listDids(tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')))) };
  });

  router.post('/', can(deps, 'trunks.write'), async (ctx) => {
    const input = parseInput(createDidSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const problems: FieldProblem[] = [];
    if (!deps.store.extensionFeatures.numbers(tenant.id).extensions.has(input.destination.extension))
      problems.push({ field: 'destination.extension', message: `no extension ${input.destination.extension} in this tenant` });
    const trunk = input.trunkId ? deps.store.trunks.get(input.trunkId) : undefined;
    if (input.trunkId && trunk?.tenantId !== tenant.id) problems.push({ field: 'trunkId', message: 'no such trunk in this tenant' });
    if (problems.length) throw validationFailed(problems);
    const did = deps.store.trunks.createDid(tenant.id, { number: input.number, trunkId: input.trunkId ?? null, destination: input.destination });
    audit(deps, ctx, { tenantId: tenant.id, action: 'did.create', target: `did:${did.id}`, details: { number: did.number, destination: did.destination } });
    ctx.status = 201;
    ctx.body = { did };
  });

  router.delete('/:id', can(deps, 'trunks.write'), async (ctx) => {
    const id = Number(ctx.params.id);
    const did = Number.isInteger(id) && id > 0 ? deps.store.trunks.getDid(id) : undefined;
    if (!did || !inScope(actorOf(ctx).user, did.tenantId)) throw notFound('did', ctx.params.id ?? '');
    deps.store.trunks.deleteDid(did.id);
    audit(deps, ctx, { tenantId: did.tenantId, action: 'did.delete', target: `did:${did.id}`, details: { number: did.number } });
    ctx.status = 204;
  });

  return router;
}
