import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { createTenant } from '../../commands/create-tenant';
import { conflict, notFound } from '../../errors';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { createTenantSchema, updateTenantSchema } from './schema';

function idParam(raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw notFound('tenant', raw ?? '');
  return n;
}

export function tenantRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/tenants' });

  router.get('/', can(deps, 'tenants.read'), async (ctx) => {
    ctx.body = { tenants: deps.store.tenants.list() };
  });

  router.get('/:id', can(deps, 'tenants.read'), async (ctx) => {
    const t = deps.store.tenants.get(idParam(ctx.params.id));
    if (!t) throw notFound('tenant', ctx.params.id ?? '');
    ctx.body = { tenant: t };
  });

  router.post('/', can(deps, 'tenants.write'), async (ctx) => {
    const input = parseInput(createTenantSchema, ctx.state.body);
    const { tenant, admin, password } = await createTenant(deps.store, input, deps.config.api.scryptLogN);
    audit(deps, ctx, { tenantId: tenant.id, action: 'tenant.create', target: `tenant:${tenant.id}`, details: { sipDomain: tenant.sipDomain, admin: admin.username } });
    ctx.status = 201;
    // The one-time password is shown here once and never again.
    ctx.body = { tenant, admin, password };
  });

  router.patch('/:id', can(deps, 'tenants.write'), async (ctx) => {
    const id = idParam(ctx.params.id);
    const patch = parseInput(updateTenantSchema, ctx.state.body);
    if (!deps.store.tenants.get(id)) throw notFound('tenant', id);
    const other = patch.sipDomain ? deps.store.tenants.byDomain(patch.sipDomain) : undefined;
    if (other && other.id !== id) throw conflict('sip-domain-taken', `SIP domain ${patch.sipDomain} belongs to another tenant`, { field: 'sipDomain' });
    const t = deps.store.tenants.update(id, { ...patch, sipDomain: patch.sipDomain?.toLowerCase() })!;
    audit(deps, ctx, { tenantId: id, action: 'tenant.update', target: `tenant:${id}`, details: patch });
    ctx.body = { tenant: t };
  });

  router.delete('/:id', can(deps, 'tenants.write'), async (ctx) => {
    const id = idParam(ctx.params.id);
    const t = deps.store.tenants.get(id);
    if (!t) throw notFound('tenant', id);
    if (t.isDefault) throw conflict('tenant-is-default', 'the default tenant cannot be deleted');
    const users = deps.store.tenants.countUsers(id);
    if (users > 0) throw conflict('tenant-not-empty', `tenant still has ${users} users; remove them first`, { users });
    deps.store.tenants.delete(id);
    audit(deps, ctx, { tenantId: id, action: 'tenant.delete', target: `tenant:${id}`, details: { sipDomain: t.sipDomain } });
    ctx.status = 204;
  });

  return router;
}
