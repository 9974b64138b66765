// /api/number-ranges: the mobile numbering plan LCR uses to tell a number's
// operator (issue 14). GET summarises the tenant's table (and looks a number
// up with ?number=); POST /import replaces it from the registry's CSV, all or
// nothing, with a dry run that only reports.
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../../common/errors';
import { normaliseNumber } from '../../../fmc';
import { planRangeImport } from '../../commands/import-number-ranges';
import type { ApiDeps, ApiState } from '../../context';
import { validationFailed } from '../../errors';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { targetTenant } from '../extensions/extensions';

const importSchema = z.object({
  csv: z.string({ message: 'required: the file text' }).min(1, 'the file is empty').max(8_000_000, 'at most 8 MB'),
  dryRun: z.boolean({ message: 'required: true for a preview, false to import' }),
  tenantId: z.number().int().positive().optional(),
});

export function numberRangeRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/number-ranges' });

  router.get('/', can(deps, 'fmc.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    const body: Record<string, unknown> = { total: deps.store.numberRanges.count(tenant.id), operators: deps.store.numberRanges.summary(tenant.id) };
    if (typeof ctx.query.number === 'string') {
      const n = normaliseNumber(ctx.query.number);
      if (!n.ok) throw validationFailed([{ field: 'number', message: n.message }]);
      body.lookup = { number: n.e164, range: deps.store.numberRanges.find(tenant.id, n.e164) ?? null };
    }
    ctx.body = body;
  });

  router.post('/import', can(deps, 'fmc.write'), async (ctx) => {
    const body = parseInput(importSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, body.tenantId);
    const plan = planRangeImport(body.csv);
    const view = { total: plan.total, valid: plan.ranges.length, problems: plan.problems };
    if (body.dryRun) {
      ctx.body = { dryRun: true, ...view };
      return;
    }
    if (plan.problems.length) {
      audit(deps, ctx, { tenantId: tenant.id, action: 'number-ranges.import', outcome: 'failed', details: { rows: plan.total, code: 'import-has-errors' } });
      throw new AppError(400, 'import-has-errors', 'nothing was imported: the plan has problems', view);
    }
    const imported = deps.store.numberRanges.replace(tenant.id, plan.ranges);
    audit(deps, ctx, { tenantId: tenant.id, action: 'number-ranges.import', target: `number-ranges:${imported}`, details: { rows: plan.total, imported } });
    ctx.body = { dryRun: false, imported, ...view };
  });

  return router;
}
