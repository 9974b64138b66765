// /api/trunks: the tenant's SIP trunks. The password is write-only: sealed
// with the SecretBox on the way in, never part of an answer.
import Router from '@koa/router';
import { effectiveChannelLimit } from '../../../call-control';
import type { Trunk, TrunkFields } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import type { FieldProblem } from '../../../common/errors';
import { targetTenant } from '../extensions/extensions';
import { didRoutes } from './dids';
import { checkSharedSources } from './shared-sources';
import { createTrunkSchema, updateTrunkSchema, type TrunkInput } from './schema';
import { trunkAad, trunkSecrets } from './trunk-secrets';
import { trunkStatuses, withStatus } from './trunk-status';

function loadTrunk(deps: ApiDeps, ctx: ApiContext): Trunk {
  const id = Number(ctx.params.id);
  const t = Number.isInteger(id) && id > 0 ? deps.store.trunks.get(id) : undefined;
  if (!t || !inScope(actorOf(ctx).user, t.tenantId)) throw notFound('trunk', ctx.params.id ?? '');
  return t;
}

const DEFAULTS: Omit<TrunkFields, 'name' | 'kind'> = {
  host: null,
  port: 5060,
  transport: 'udp',
  username: null,
  registerExpiry: 300,
  addresses: [],
  optionsInterval: 30,
  channelLimit: 0,
  outboundCallerId: '',
  enabled: true,
};

function merge(base: TrunkFields, input: TrunkInput): TrunkFields {
  const { password: _p, ...rest } = input;
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && k !== 'tenantId') out[k] = v;
  return out as unknown as TrunkFields;
}

/** What each kind needs, named by field. */
function kindProblems(f: TrunkFields, hasPassword: boolean): FieldProblem[] {
  const p: FieldProblem[] = [];
  if (f.kind === 'register') {
    if (!f.host) p.push({ field: 'host', message: 'required for a registering trunk' });
    if (!f.username) p.push({ field: 'username', message: 'required for a registering trunk' });
    if (!hasPassword) p.push({ field: 'password', message: 'required for a registering trunk' });
  } else if (f.addresses.length === 0) p.push({ field: 'addresses', message: 'give at least one operator address' });
  return p;
}

export function trunkRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/trunks' });
  const box = trunkSecrets(deps);
  // The limit call-control holds the trunk to: an IP trunk without its own gets the box's default (issue 16 item 4).
  const shown = <T extends Trunk>(t: T) => ({ ...t, effectiveChannelLimit: effectiveChannelLimit(t, deps.config.calls.ipTrunkChannels) });

  router.get('/', can(deps, 'trunks.read'), async (ctx) => {
    const statuses = trunkStatuses(deps);
    ctx.body = { trunks: deps.store.trunks.list(tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')))).map((t) => shown(withStatus(t, statuses))) };
  });

  router.get('/:id', can(deps, 'trunks.read'), async (ctx) => {
    ctx.body = { trunk: shown(withStatus(loadTrunk(deps, ctx), trunkStatuses(deps))) };
  });

  router.post('/', can(deps, 'trunks.write'), async (ctx) => {
    const input = parseInput(createTrunkSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const fields = merge({ ...DEFAULTS, name: input.name, kind: input.kind }, input);
    const problems = kindProblems(fields, input.password !== undefined);
    if (problems.length) throw validationFailed(problems);
    const shared = checkSharedSources(deps, actorOf(ctx).user.role, tenant.id, fields);
    const sealed = input.password !== undefined && fields.kind === 'register' ? box().seal(input.password, trunkAad(tenant.id)) : null;
    const trunk = deps.store.trunks.create(tenant.id, fields, sealed);
    audit(deps, ctx, { tenantId: tenant.id, action: 'trunk.create', target: `trunk:${trunk.id}`, details: { name: trunk.name, kind: trunk.kind, ...shared } });
    ctx.status = 201;
    ctx.body = { trunk: shown(trunk) };
  });

  router.patch('/:id', can(deps, 'trunks.write'), async (ctx) => {
    const cur = loadTrunk(deps, ctx);
    const input = parseInput(updateTrunkSchema, ctx.state.body);
    const fields = merge(cur, input);
    const problems = kindProblems(fields, input.password !== undefined || cur.hasPassword);
    if (problems.length) throw validationFailed(problems);
    const shared = checkSharedSources(deps, actorOf(ctx).user.role, cur.tenantId, fields, cur);
    // An IP trunk keeps no password; a new one replaces the sealed value.
    const sealed = fields.kind === 'ip' ? null : input.password !== undefined ? box().seal(input.password, trunkAad(cur.tenantId)) : undefined;
    const trunk = deps.store.trunks.update(cur.id, fields, sealed);
    const { password: _p, ...logged } = input;
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'trunk.update', target: `trunk:${cur.id}`, details: { ...logged, ...(input.password !== undefined ? { password: 'changed' } : {}), ...shared } });
    ctx.body = { trunk: trunk && shown(trunk) };
  });

  router.delete('/:id', can(deps, 'trunks.write'), async (ctx) => {
    const cur = loadTrunk(deps, ctx);
    deps.store.trunks.delete(cur.id);
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'trunk.delete', target: `trunk:${cur.id}`, details: { name: cur.name } });
    ctx.status = 204;
  });

  return router;
}

export { didRoutes };
