// /api/sims: the SIM inventory — CRUD with every binding checked (one SIM
// per port, one per extension), and the CSV import: a dry run lists each
// row's problems, the import writes the good rows in one transaction and
// answers the bad ones with their problems.
import Router from '@koa/router';
import type { Sim, SimRecord } from '../../../store';
import { AppError } from '../../../common/errors';
import { checkSim, type SimDraft } from '../../commands/sim-rules';
import { planSimImport, type SimImportPlan } from '../../commands/import-sims';
import type { ApiDeps, ApiState } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { targetTenant } from '../extensions/extensions';
import { createSimSchema, importSimsSchema, updateSimSchema } from './schema';

function loadSim(deps: ApiDeps, ctx: ApiContext): Sim {
  const id = Number(ctx.params.id);
  const s = Number.isInteger(id) && id > 0 ? deps.store.sims.get(id) : undefined;
  if (!s || !inScope(actorOf(ctx).user, s.tenantId)) throw notFound('sim', ctx.params.id ?? '');
  return s;
}

export type SimView = Sim & { extension: string | null; gatewayName: string | null };

function simView(deps: ApiDeps, s: Sim): SimView {
  return {
    ...s,
    extension: s.extensionId === null ? null : (deps.store.extensions.byId(s.extensionId)?.extension ?? null),
    gatewayName: s.gatewayId === null ? null : (deps.store.gateways.get(s.gatewayId)?.name ?? null),
  };
}

function draftOf(deps: ApiDeps, s: Sim): SimDraft {
  const { extensionId, ...rest } = s;
  return { ...rest, extension: extensionId === null ? null : (deps.store.extensions.byId(extensionId)?.extension ?? null) };
}

/** What changed, for the audit trail: no personal data beyond the SIM's own numbers. */
function changes(before: SimRecord | null, after: SimRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if (!before || before[k as keyof SimRecord] !== v) out[k] = v;
  return out;
}

function importView(plan: SimImportPlan) {
  return {
    separator: plan.separator,
    columns: plan.columns,
    fileErrors: plan.fileErrors,
    summary: plan.summary,
    rows: plan.rows.map((r) => ({ index: r.index, line: r.line, values: r.values, errors: r.errors })),
  };
}

export function simRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/sims' });

  router.get('/', can(deps, 'fmc.read'), async (ctx) => {
    const tenantId = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    ctx.body = { sims: deps.store.sims.list(tenantId).map((s) => simView(deps, s)) };
  });

  router.get('/:id', can(deps, 'fmc.read'), async (ctx) => {
    ctx.body = { sim: simView(deps, loadSim(deps, ctx)) };
  });

  router.post('/', can(deps, 'fmc.write'), async (ctx) => {
    const input = parseInput(createSimSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const check = checkSim(deps.store, tenant.id, input);
    if (!check.ok) throw validationFailed(check.problems);
    const sim = deps.store.sims.create(tenant.id, check.record);
    audit(deps, ctx, { tenantId: tenant.id, action: 'sim.create', target: `sim:${sim.id}`, details: changes(null, check.record) });
    ctx.status = 201;
    ctx.body = { sim: simView(deps, sim) };
  });

  router.patch('/:id', can(deps, 'fmc.write'), async (ctx) => {
    const cur = loadSim(deps, ctx);
    const input = parseInput(updateSimSchema, ctx.state.body);
    const draft: SimDraft = { ...draftOf(deps, cur) };
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (draft as unknown as Record<string, unknown>)[k] = v;
    // Moving to another gateway without a port leaves the old port behind.
    if (input.gatewayId !== undefined && input.port === undefined && input.gatewayId !== cur.gatewayId) draft.port = null;
    const check = checkSim(deps.store, cur.tenantId, draft, { selfId: cur.id });
    if (!check.ok) throw validationFailed(check.problems);
    const sim = deps.store.sims.update(cur.id, check.record)!;
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'sim.update', target: `sim:${cur.id}`, details: changes(cur, check.record) });
    ctx.body = { sim: simView(deps, sim) };
  });

  router.delete('/:id', can(deps, 'fmc.write'), async (ctx) => {
    const cur = loadSim(deps, ctx);
    deps.store.sims.delete(cur.id);
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'sim.delete', target: `sim:${cur.id}`, details: { msisdn: cur.msisdn } });
    ctx.status = 204;
  });

  router.post('/import', can(deps, 'fmc.write'), async (ctx) => {
    const body = parseInput(importSimsSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, body.tenantId);
    const plan = planSimImport(deps.store, tenant, body.csv);
    if (body.dryRun) {
      ctx.body = { dryRun: true, ...importView(plan) };
      return;
    }
    const good = plan.rows.filter((r) => r.record);
    if (plan.fileErrors.length || good.length === 0) {
      audit(deps, ctx, { tenantId: tenant.id, action: 'sim.import', outcome: 'failed', details: { rows: plan.summary.total, code: 'import-has-errors' } });
      throw new AppError(400, 'import-has-errors', `nothing was imported: ${plan.fileErrors.length ? 'the file itself is wrong' : 'no row is valid'}`, importView(plan));
    }
    const ids = deps.store.transaction(() => good.map((r) => deps.store.sims.create(tenant.id, r.record!).id), 'immediate');
    audit(deps, ctx, { tenantId: tenant.id, action: 'sim.import', target: `sims:${ids.length}`, details: { rows: plan.summary.total, imported: ids.length, rejected: plan.summary.invalid } });
    ctx.body = { dryRun: false, imported: ids.length, ...importView(plan) };
  });

  return router;
}
