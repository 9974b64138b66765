// /api/alarms: what the box raised (first source: the recordings service —
// disk, quotas, conversions). A tenant user sees their tenant's alarms and the
// appliance-wide ones.
import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps, ApiState } from '../../context';
import { actorOf, can } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';

const querySchema = z.object({
  active: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1–500').max(500, 'must be 1–500').default(100),
  offset: z.coerce.number().int().min(0, 'must be 0 or more').default(0),
  tenantId: z.string().optional(),
});

export function alarmRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/alarms' });
  router.get('/', can(deps, 'alarms.read'), async (ctx) => {
    const q = parseInput(querySchema, ctx.query);
    const tenantId = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const r = deps.store.alarms.list({ active: q.active === 'true', limit: q.limit, offset: q.offset, ...(tenantId !== undefined ? { tenantId } : {}) });
    ctx.body = { alarms: r.rows, total: r.total };
  });
  return router;
}
