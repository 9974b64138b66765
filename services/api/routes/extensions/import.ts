// POST /api/extensions/import {csv, dryRun}: a dry run answers the preview
// with every row's errors; a real run refuses the whole file when any row is
// bad (nothing is written) and otherwise starts a job the UI polls at
// GET /api/extensions/import/:id for progress and, once, the passwords.
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../../common/errors';
import type { ApiDeps, ApiState } from '../../context';
import { notFound } from '../../errors';
import { actorOf, audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { extensionLimit } from '../../commands/extension-licence';
import { flatErrors, planImport, type ImportPlan } from '../../commands/import-extensions';
import { ImportJobs } from '../../commands/import-jobs';
import { targetTenant } from './extensions';

const importSchema = z.object({
  csv: z.string({ message: 'required: the file text' }).min(1, 'the file is empty'),
  dryRun: z.boolean({ message: 'required: true for a preview, false to import' }),
  tenantId: z.number().int().positive().optional(),
});

function preview(plan: ImportPlan, licence: { limit: number; existing: number; adding: number; ok: boolean }) {
  return {
    columns: plan.columns,
    separator: plan.separator,
    fileErrors: plan.fileErrors,
    summary: plan.summary,
    licence,
    rows: plan.rows.map((r) => ({ index: r.index, line: r.line, values: r.values, errors: r.errors })),
    errors: flatErrors(plan),
  };
}

export function importRoutes(deps: ApiDeps, router: Router<ApiState>): void {
  const jobs = new ImportJobs();

  router.post('/import', can(deps, 'extensions.write'), async (ctx) => {
    const body = parseInput(importSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, body.tenantId);
    const plan = planImport(deps.store, tenant, body.csv);
    const limit = await extensionLimit(deps);
    const existing = deps.store.extensions.countAll();
    const licence = { limit, existing, adding: plan.summary.valid, ok: existing + plan.summary.valid <= limit };
    if (body.dryRun) {
      ctx.body = { dryRun: true, ...preview(plan, licence) };
      return;
    }
    const bad = plan.fileErrors.length > 0 || plan.summary.invalid > 0;
    if (bad) throw new AppError(400, 'import-has-errors', `nothing was imported: ${plan.fileErrors.length + plan.rows.reduce((n, r) => n + r.errors.length, 0)} problems in the file`, preview(plan, licence));
    if (!licence.ok)
      throw new AppError(403, 'licence-extension-limit', `The licence allows ${limit} extensions; ${existing} exist and the file adds ${licence.adding}. Nothing was imported.`, { limit, count: existing, adding: licence.adding });
    const actor = actorOf(ctx).user;
    const job = jobs.start(deps.store, tenant, actor.id, plan.valid.map((v) => v.input), limit, (j) =>
      audit(deps, ctx, {
        tenantId: tenant.id,
        action: 'extension.import',
        target: `import:${j.id}`,
        outcome: j.state === 'done' ? 'ok' : 'failed',
        details: { rows: j.total, ...(j.error ? { error: j.error.code } : {}) },
      }),
    );
    ctx.status = 202;
    ctx.body = { dryRun: false, job: jobs.read(job) };
  });

  router.get('/import/:id', can(deps, 'extensions.write'), async (ctx) => {
    const job = jobs.get(ctx.params.id ?? '');
    if (!job || job.userId !== actorOf(ctx).user.id) throw notFound('import', ctx.params.id ?? '');
    ctx.body = { job: jobs.read(job) };
  });
}
