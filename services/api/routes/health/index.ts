// Public health: process states from the supervisor, no personal data.
import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { VERSION } from '../../../common/version';

const STALE_MS = 10_000;

export function healthRoutes(deps: ApiDeps, started: Date): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api' });
  router.get('/health', async (ctx) => {
    const status = deps.supervisorStatus();
    const now = deps.now?.() ?? new Date();
    const stale = status ? now.getTime() - new Date(status.updatedAt).getTime() > STALE_MS : false;
    const processes = (status?.processes ?? []).map((p) => ({
      name: p.name,
      state: p.state,
      pid: p.pid,
      restarts: p.restarts,
      since: p.since,
      lastExit: p.lastExit,
      healthy: p.state === 'running' && (p.health === null || p.health.ok !== false),
      health: p.health,
    }));
    const ok = !stale && processes.every((p) => p.healthy);
    ctx.status = ok ? 200 : 503;
    ctx.body = {
      ok,
      status: ok ? 'ok' : 'degraded',
      version: VERSION,
      uptimeSeconds: Math.round((now.getTime() - started.getTime()) / 1000),
      supervisor: status ? { pid: status.pid, updatedAt: status.updatedAt, stale } : null,
      processes,
    };
  });
  return router;
}
