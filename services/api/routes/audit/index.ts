import Router from '@koa/router';
import path from 'node:path';
import { z } from 'zod';
import { defaultCheckpointFile, readCheckpoints } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { actorOf, audit, can } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { siemRoutes } from './siem';

const querySchema = z.object({
  action: z.string().max(100).optional(),
  since: z.iso.datetime({ message: 'must be an ISO date-time' }).optional(),
  until: z.iso.datetime({ message: 'must be an ISO date-time' }).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1–1000').max(1000, 'must be 1–1000').default(100),
  offset: z.coerce.number().int().min(0, 'must be 0 or more').default(0),
  tenantId: z.string().optional(),
});

export function auditRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/audit' });

  router.get('/', can(deps, 'audit.read'), async (ctx) => {
    const q = parseInput(querySchema, ctx.query);
    const actor = actorOf(ctx).user;
    const tenantId = tenantScope(actor, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    const result = deps.store.audit.list({ ...q, tenantId });
    // Reading the audit log is itself an access worth recording.
    audit(deps, ctx, { tenantId: actor.tenantId, action: 'audit.read', details: { tenantId: tenantId ?? 'all', offset: q.offset } });
    ctx.body = result;
  });

  // The chain and the checkpoints, in the DB and in the file outside it (what `korobka audit verify` prints).
  router.get('/verify', can(deps, 'audit.read'), async (ctx) => {
    const file = deps.config.audit.checkpointFile || defaultCheckpointFile(path.join(deps.config.dataDir, 'korobka.db'));
    const report = deps.store.audit.report(readCheckpoints(file));
    const legacy = deps.store.audit.verify();
    ctx.body = { ...legacy, report };
  });

  siemRoutes(router, deps);
  return router;
}
