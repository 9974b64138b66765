// GET /api/system: health figures for the dashboard; GET /api/live is the
// WebSocket feed of the same figures.
import Router from '@koa/router';
import type { Server } from 'node:http';
import type { ApiDeps, ApiState } from '../../context';
import { AppError } from '../../errors';
import { can, type ApiContext } from '../../guard';
import { LiveServer, SystemMonitor, type CallState } from '../../live';

export const upgradeRequired = () => new AppError(426, 'upgrade-required', 'open /api/live as a WebSocket');
export const liveRetry = () => new AppError(503, 'live-not-ready', 'the live feed was just enabled on this server; reconnect');

/**
 * The https server is created outside buildApp; the first request through
 * it that reaches this router hands the server to the live feed so
 * WebSocket upgrades are taken from then on.
 */
function serverOf(ctx: ApiContext): Server | undefined {
  return (ctx.req.socket as { server?: Server }).server;
}

/** Which live feed belongs to which router, for attachLive below. */
const feeds = new WeakMap<Router<ApiState>, LiveServer>();

/**
 * Hands the https server to the live feed at start-up, so even the very
 * first WebSocket is taken (call with buildApp's routers after creating the
 * server). Without it the feed attaches itself on the first request that
 * reaches this router, which is what the UI does first anyway.
 */
export function attachLive(server: Server, routers: readonly Router<ApiState>[]): void {
  for (const r of routers) feeds.get(r)?.attach(server);
}

/** call-control's own report, relayed by the supervisor's status file. */
function callStateOf(deps: ApiDeps): CallState | null {
  const cc = deps.supervisorStatus()?.processes.find((p) => p.name === 'call-control');
  const h = cc?.state === 'running' ? cc.health : null;
  if (!h || h.ok !== true || typeof h.activeCalls !== 'number' || typeof h.registrations !== 'number') return null;
  const licence = h.licence as { profile?: unknown; concurrentCalls?: unknown } | undefined;
  if (typeof licence?.profile !== 'string' || typeof licence.concurrentCalls !== 'number') return null;
  return { activeCalls: h.activeCalls, registrations: h.registrations, licence: { profile: licence.profile, concurrentCalls: licence.concurrentCalls } };
}

export function systemRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api' });
  const monitor = new SystemMonitor(deps.config.dataDir, () => callStateOf(deps));
  const live = new LiveServer(deps, monitor);
  feeds.set(router, live);

  router.get('/system', can(deps, 'system.read'), async (ctx) => {
    const server = serverOf(ctx);
    if (server) live.attach(server);
    ctx.body = await monitor.snapshot();
  });

  // Reached only by requests the live feed did not take: a plain GET, or an
  // upgrade that arrived before the feed was attached to this server.
  router.get('/live', can(deps, 'system.read'), async (ctx) => {
    const server = serverOf(ctx);
    const attachedBefore = server ? live.isAttached(server) : false;
    if (server) live.attach(server);
    if (ctx.get('upgrade').toLowerCase() !== 'websocket' || attachedBefore) throw upgradeRequired();
    ctx.set('Retry-After', '1');
    throw liveRetry();
  });

  return router;
}
