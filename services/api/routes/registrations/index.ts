// GET /api/registrations: the phones registered now (call-control's
// location service writes them, migration 0022), per extension of the
// tenant in scope. Read-only.
import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { actorOf, can } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';

export function registrationRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/registrations' });
  const now = () => (deps.now?.() ?? new Date()).getTime();

  router.get('/', can(deps, 'registrations.read'), async (ctx) => {
    const scope = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const tenants = scope === undefined ? deps.store.tenants.list().map((t) => t.id) : [scope];
    const repo = deps.store.registrations;
    const at = now();
    ctx.body = {
      registrations: tenants.flatMap((tenantId) =>
        repo.listTenant(tenantId, at).map((r) => ({
          tenantId,
          extension: r.extension,
          contact: r.contact,
          source: r.source,
          userAgent: r.userAgent ?? null,
          registeredAt: new Date(r.registeredAt).toISOString(),
          expiresAt: new Date(r.expiresAt).toISOString(),
        })),
      ),
    };
  });

  return router;
}
