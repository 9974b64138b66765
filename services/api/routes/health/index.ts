// GET /api/health in three views. Anyone: whether the box is up and which
// processes run, nothing more (it once showed trunk names, tenant ids and
// call counts to the internet). A signed-in user allowed system.read: the
// dashboard's figures (pids, restarts, uptime, version). A superadmin, or the
// box's own tools with the health token: each process's own health report.
import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { VERSION } from '../../../common/version';
import { optionalUser, SESSION_COOKIE } from '../../middleware/session';
import { allowed } from '../../rbac';
import { ensureHealthToken, HEALTH_TOKEN_HEADER, sameToken } from './health-token';

const STALE_MS = 10_000;

export function healthRoutes(deps: ApiDeps, started: Date): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api' });
  let token: string | undefined;
  router.get('/health', async (ctx) => {
    const status = deps.supervisorStatus();
    const now = deps.now?.() ?? new Date();
    const stale = status ? now.getTime() - new Date(status.updatedAt).getTime() > STALE_MS : false;
    const healthy = (p: NonNullable<typeof status>['processes'][number]) => p.state === 'running' && (p.health === null || p.health.ok !== false);
    const all = status?.processes ?? [];
    const ok = !stale && all.every(healthy);
    ctx.status = ok ? 200 : 503;
    const given = ctx.get(HEALTH_TOKEN_HEADER);
    token ??= given ? ensureHealthToken(deps.config.dataDir) : undefined;
    const user = optionalUser(deps, ctx.cookies.get(SESSION_COOKIE));
    const full = (!!given && !!token && sameToken(given, token)) || user?.role === 'superadmin';
    const dashboard = full || (!!user && allowed(user.role, 'system.read'));
    if (!dashboard) {
      ctx.body = { ok, status: ok ? 'ok' : 'degraded', processes: all.map((p) => ({ name: p.name, state: p.state, healthy: healthy(p) })) };
      return;
    }
    ctx.body = {
      ok,
      status: ok ? 'ok' : 'degraded',
      version: VERSION,
      uptimeSeconds: Math.round((now.getTime() - started.getTime()) / 1000),
      supervisor: status ? { pid: status.pid, updatedAt: status.updatedAt, stale } : null,
      processes: all.map((p) => ({
        name: p.name,
        state: p.state,
        pid: p.pid,
        restarts: p.restarts,
        since: p.since,
        lastExit: p.lastExit,
        healthy: healthy(p),
        ...(full ? { health: p.health } : {}),
      })),
    };
  });
  return router;
}
