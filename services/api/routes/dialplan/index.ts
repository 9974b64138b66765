// /api/dialplan: a tenant's numbering plan and ordered outbound routes, and
// a dry run of the dial plan. The route list is replaced whole (reordering
// is one atomic write); every problem comes back at once with its field
// path — the route checks of call-control's OutboundRouter and the trunks
// each route names — and nothing is saved unless all of it is right.
import Router from '@koa/router';
import { OutboundRouter, isReservedExtension, saveNumbering, saveRoutes, NUMBERING_SETTING, numberingConfigSchema, type OutboundRoute, type OutboundRouteInput } from '../../../dialplan';
import { AppError, type FieldProblem } from '../../../common/errors';
import type { ApiDeps, ApiState } from '../../context';
import { validationFailed } from '../../errors';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { targetTenant } from '../extensions/extensions';
import { dryRun } from './dry-run';
import { dryRunSchema, routesBodySchema } from './schema';
import { unknownTrunkProblems } from './trunk-refs';

const stores = (deps: ApiDeps) => ({ settings: deps.store.settings, routes: deps.store.outboundRoutes });

/** The stored numbering plan with the defaults filled in (a tenant that never saved one gets them). */
function numberingOf(deps: ApiDeps, tenantId: number) {
  const parsed = numberingConfigSchema.safeParse(deps.store.settings.get<unknown>(NUMBERING_SETTING, tenantId) ?? {});
  return parsed.success ? parsed.data : numberingConfigSchema.parse({});
}

/** The audit row's before/after: enough to see what changed, small enough to read. */
const summary = (routes: readonly OutboundRoute[]) =>
  routes.map((r) => ({ id: r.id, name: r.name, enabled: r.enabled, patterns: r.patterns, strip: r.strip, prepend: r.prepend, trunks: r.trunks }));

/** A route sent without an id gets `route-N`, unused in this list (the UI sends ids it got back). */
function withIds(routes: readonly unknown[]): unknown[] {
  const taken = new Set(routes.map((r) => (r as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string'));
  let n = 0;
  return routes.map((r) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r) || (r as { id?: unknown }).id !== undefined) return r;
    do n++;
    while (taken.has(`route-${n}`));
    taken.add(`route-${n}`);
    return { ...r, id: `route-${n}` };
  });
}

/**
 * A numbering plan that would leave an existing extension undialable — too
 * short or long, or an emergency code behind the outside-line digit — is
 * refused, naming the first few such extensions.
 */
function extensionProblems(deps: ApiDeps, tenantId: number, input: unknown): FieldProblem[] {
  const parsed = numberingConfigSchema.safeParse(input);
  if (!parsed.success) return []; // saveNumbering names those fields
  const c = parsed.data;
  const exts = deps.store.extensions.list(tenantId).map((e) => e.extension);
  const problems: FieldProblem[] = [];
  const outside = exts.filter((e) => e.length < c.extensionMinLength || e.length > c.extensionMaxLength);
  if (outside.length) problems.push({ field: 'numbering.extensionMaxLength', message: `extensions ${outside.slice(0, 5).join(', ')} would not fit ${c.extensionMinLength}–${c.extensionMaxLength} digits` });
  const reserved = exts.filter((e) => isReservedExtension(e, c));
  if (reserved.length) problems.push({ field: 'numbering.outsideLinePrefix', message: `extensions ${reserved.slice(0, 5).join(', ')} would dial an emergency number` });
  return problems;
}

function routeProblems(routes: readonly unknown[], trunkProblems: FieldProblem[]): FieldProblem[] {
  try {
    new OutboundRouter(routes as OutboundRouteInput[]); // it checks each element against its schema itself
    return trunkProblems;
  } catch (e) {
    if (e instanceof AppError && e.code === 'validation-failed') {
      const fields = (e.details as { fields?: FieldProblem[] } | undefined)?.fields ?? [];
      return [...fields, ...trunkProblems];
    }
    throw e;
  }
}

export function dialPlanRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/dialplan' });

  router.get('/', can(deps, 'dialplan.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    ctx.body = { tenantId: tenant.id, numbering: numberingOf(deps, tenant.id), routes: deps.store.outboundRoutes.list(tenant.id) };
  });

  router.put('/routes', can(deps, 'dialplan.write'), async (ctx) => {
    const body = parseInput(routesBodySchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, body.tenantId);
    const input = withIds(body.routes);
    const problems = routeProblems(input, unknownTrunkProblems(input, deps.store.trunks.list(tenant.id)));
    if (problems.length) throw validationFailed(problems);
    const before = deps.store.outboundRoutes.list(tenant.id);
    const routes = saveRoutes(stores(deps), tenant.id, input as OutboundRouteInput[]);
    audit(deps, ctx, { tenantId: tenant.id, action: 'dialplan.routes.update', target: `tenant:${tenant.id}`, details: { before: summary(before), after: summary(routes) } });
    ctx.body = { tenantId: tenant.id, routes };
  });

  router.put('/numbering', can(deps, 'dialplan.write'), async (ctx) => {
    const raw = ctx.state.body;
    const { tenantId, ...fields } = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    if (tenantId !== undefined && !(Number.isInteger(tenantId) && (tenantId as number) > 0)) throw validationFailed([{ field: 'tenantId', message: 'must be a positive integer' }]);
    const tenant = targetTenant(deps, ctx, tenantId as number | undefined);
    const clashes = extensionProblems(deps, tenant.id, fields);
    if (clashes.length) throw validationFailed(clashes);
    const before = numberingOf(deps, tenant.id);
    const numbering = saveNumbering(stores(deps), tenant.id, fields);
    audit(deps, ctx, { tenantId: tenant.id, action: 'dialplan.numbering.update', target: `tenant:${tenant.id}`, details: { before, after: numbering } });
    ctx.body = { tenantId: tenant.id, numbering };
  });

  // A POST because it takes a body; it changes nothing, so readers may use it.
  router.post('/test', can(deps, 'dialplan.read'), async (ctx) => {
    const input = parseInput(dryRunSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    ctx.body = { tenantId: tenant.id, result: dryRun(deps, tenant.id, input.number, input.extension) };
  });

  return router;
}
