// /api/gateways: GSM gateways and operator FMC trunks made from templates.
// A line-mode gateway's ports register with one password, generated unless
// given, answered once and kept only as per-port HA1 values.
import Router from '@koa/router';
import { buildGateway, usernameBase, deviceSettings, gatewayTemplates, type GatewayConfig, type GatewayOverrides } from '../../../fmc';
import type { Gateway, Store, Tenant } from '../../../store';
import { newSipSecret } from '../../commands/create-extension';
import type { ApiDeps, ApiState } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { inScope, requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { targetTenant } from '../extensions/extensions';
import { gatewayStatuses, type GatewayLiveStatus, type PortLiveStatus } from './gateway-status';
import { createGatewaySchema, updateGatewaySchema, type GatewayInput } from './schema';

export function loadGateway(deps: ApiDeps, ctx: ApiContext): Gateway {
  const id = Number(ctx.params.id);
  const g = Number.isInteger(id) && id > 0 ? deps.store.gateways.get(id) : undefined;
  if (!g || !inScope(actorOf(ctx).user, g.tenantId)) throw notFound('gateway', ctx.params.id ?? '');
  return g;
}

/** One port as the page shows it: its SIM, whether it is registered now (the registrar's stored binding) and call-control's live report. */
export interface PortView {
  port: number;
  username: string | null;
  did: string | null;
  prefix: string | null;
  enabled: boolean;
  sim: { id: number; msisdn: string; extensionId: number | null } | null;
  registration: { source: string; userAgent: string | null; expiresAt: string } | null;
  live: PortLiveStatus | null;
}

export type GatewayView = Gateway & { status: GatewayLiveStatus | null; ports: PortView[]; sims: Array<{ id: number; msisdn: string; port: number | null; extensionId: number | null }> };

export function gatewayView(store: Store, g: Gateway, statuses: Map<number, GatewayLiveStatus> | null, now = Date.now()): GatewayView {
  const sims = store.sims.list(g.tenantId).filter((s) => s.gatewayId === g.id).map((s) => ({ id: s.id, msisdn: s.msisdn, port: s.port, extensionId: s.extensionId }));
  const status = statuses?.get(g.id) ?? null;
  // A port registers under the AOR `<tenant>:<user name>` (call-control's registrar), persisted in registrations.
  const bindings = new Map(store.registrations.listTenant(g.tenantId, now).map((b) => [b.extension.toLowerCase(), b]));
  const ports = g.config.ports.map((p): PortView => {
    const b = p.username ? bindings.get(p.username.toLowerCase()) : undefined;
    const sim = sims.find((s) => s.port === p.port);
    return {
      ...p,
      sim: sim ? { id: sim.id, msisdn: sim.msisdn, extensionId: sim.extensionId } : null,
      registration: b ? { source: `${b.source.address}:${b.source.port}`, userAgent: b.userAgent ?? null, expiresAt: new Date(b.expiresAt).toISOString() } : null,
      live: status?.ports.find((x) => x.port === p.port) ?? null,
    };
  });
  return { ...g, status, ports, sims };
}

function overrides(input: GatewayInput, base?: GatewayConfig): GatewayOverrides {
  const { name: _n, enabled: _e, password: _p, ...rest } = input;
  const o: GatewayOverrides = {};
  if (base) {
    const { template: _t, mode: _m, quirks, ports, ...kept } = base;
    Object.assign(o, kept, { quirks, ports: ports.map((p) => ({ ...p })) });
  }
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && k !== 'tenantId' && k !== 'template') (o as Record<string, unknown>)[k] = v;
  if (base && input.quirks) o.quirks = { ...base.quirks, ...input.quirks };
  // A new port count without a port list keeps the ports that remain and lets the template fill the rest.
  if (base && input.portCount !== undefined && input.ports === undefined) o.ports = base.ports.filter((p) => p.port <= input.portCount!);
  if (base && input.ports !== undefined && input.portCount === undefined) o.portCount = base.ports.length;
  return o as GatewayOverrides;
}

/** Port user names must not be an extension's SIP user: the registrar would not know whom it authenticates. */
function usernameProblems(store: Store, tenant: Tenant, c: GatewayConfig, selfId?: number) {
  return c.ports.flatMap((p, i) =>
    p.username && (store.extensions.credentials(tenant.id, p.username) || store.gateways.usernameTaken(tenant.id, p.username, selfId))
      ? [{ field: `ports[${i}].username`, message: `"${p.username}" is already a SIP user of this organisation` }]
      : [],
  );
}

export function gatewayRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/gateways' });

  router.get('/', can(deps, 'fmc.read'), async (ctx) => {
    const statuses = gatewayStatuses(deps);
    const tenantId = tenantScope(actorOf(ctx).user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    ctx.body = { gateways: deps.store.gateways.list(tenantId).map((g) => gatewayView(deps.store, g, statuses)) };
  });

  router.get('/templates', can(deps, 'fmc.read'), async (ctx) => {
    ctx.body = { templates: Object.values(gatewayTemplates) };
  });

  router.get('/:id', can(deps, 'fmc.read'), async (ctx) => {
    const g = loadGateway(deps, ctx);
    const tenant = deps.store.tenants.get(g.tenantId)!;
    // The address the device reaches the PBX at: the public address if set, else the tenant's SIP domain.
    const udp = deps.config.sip.listen.find((l) => l.transport === 'udp') ?? deps.config.sip.listen[0];
    const pbx = { host: deps.config.sip.publicAddress || tenant.sipDomain, port: udp?.port ?? 5060, domain: tenant.sipDomain };
    ctx.body = { gateway: gatewayView(deps.store, g, gatewayStatuses(deps)), deviceSettings: deviceSettings(g.config, pbx) };
  });

  router.post('/', can(deps, 'fmc.write'), async (ctx) => {
    const input = parseInput(createGatewaySchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    // Generated port users must not clash with another gateway's ("goip-1" twice): number the stem.
    let built = buildGateway(input.template, input.name, overrides(input));
    for (let n = 2; n < 100 && built.ok && usernameProblems(deps.store, tenant, built.config).length && !input.ports?.some((p) => p.username); n++)
      built = buildGateway(input.template, input.name, { ...overrides(input), usernameBase: `${usernameBase(input.name)}${n}` });
    if (!built.ok) throw validationFailed(built.problems);
    const taken = usernameProblems(deps.store, tenant, built.config);
    if (taken.length) throw validationFailed(taken);
    const line = built.config.mode === 'line';
    const secret = line ? newSipSecret(tenant, '', input.password).password : null;
    const gw = deps.store.gateways.create(tenant.id, input.name, input.enabled ?? true, built.config, (u) => newSipSecret(tenant, u, secret!).ha1);
    audit(deps, ctx, { tenantId: tenant.id, action: 'gateway.create', target: `gateway:${gw.id}`, details: { name: gw.name, template: gw.config.template, ports: gw.config.ports.length } });
    ctx.status = 201;
    ctx.body = { gateway: gatewayView(deps.store, gw, null), ...(secret ? { password: secret } : {}) };
  });

  router.patch('/:id', can(deps, 'fmc.write'), async (ctx) => {
    const cur = loadGateway(deps, ctx);
    const input = parseInput(updateGatewaySchema, ctx.state.body);
    const tenant = deps.store.tenants.get(cur.tenantId)!;
    const name = input.name ?? cur.name;
    const built = buildGateway(cur.config.template, name, overrides(input, cur.config));
    if (!built.ok) throw validationFailed(built.problems);
    const taken = usernameProblems(deps.store, tenant, built.config, cur.id);
    if (taken.length) throw validationFailed(taken);
    const pw = input.password;
    const gw = deps.store.gateways.update(cur.id, { name, enabled: input.enabled ?? cur.enabled, config: built.config }, pw ? (u) => newSipSecret(tenant, u, pw).ha1 : null);
    const { password: _p, ...logged } = input;
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'gateway.update', target: `gateway:${cur.id}`, details: { ...logged, ...(pw ? { password: 'changed' } : {}) } });
    ctx.body = { gateway: gatewayView(deps.store, gw, gatewayStatuses(deps)) };
  });

  router.delete('/:id', can(deps, 'fmc.write'), async (ctx) => {
    const cur = loadGateway(deps, ctx);
    deps.store.gateways.delete(cur.id);
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'gateway.delete', target: `gateway:${cur.id}`, details: { name: cur.name } });
    ctx.status = 204;
  });

  return router;
}
