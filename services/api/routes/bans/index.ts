// /api/bans: SIP source addresses call-control banned after failed digest
// attempts (migration 0024). Bans are per address for the whole box, so only
// a superadmin sees and lifts them; lifting goes through the store's
// sipBans, and call-control's BanList picks the change up on its next sync.
import { isIP } from 'node:net';
import Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { notFound, validationFailed } from '../../errors';
import { audit, can } from '../../guard';

export function banRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/bans' });
  const now = () => (deps.now?.() ?? new Date()).getTime();
  const iso = (ms: number) => new Date(ms).toISOString();

  router.get('/', can(deps, 'bans.read'), async (ctx) => {
    ctx.body = {
      bans: deps.store.sipBans
        .active(now())
        .map((b) => ({ ip: b.ip, since: iso(b.since), until: iso(b.until), reason: b.reason, failures: b.failures, offences: b.offences, lastUsername: b.lastUsername ?? null })),
    };
  });

  router.delete('/:ip', can(deps, 'bans.write'), async (ctx) => {
    const ip = ctx.params.ip ?? '';
    if (isIP(ip) === 0) throw validationFailed([{ field: 'ip', message: 'must be an IPv4 or IPv6 address' }]);
    const lifted = deps.store.sipBans.remove(ip, now());
    if (!lifted) throw notFound('ban', ip);
    audit(deps, ctx, { tenantId: null, action: 'ban.lift', target: `ip:${ip}`, details: { reason: lifted.reason, until: iso(lifted.until) } });
    ctx.status = 204;
  });

  return router;
}
