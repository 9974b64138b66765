// The licence: state and limits for the UI, the activation request to
// download, and installing a licence file (verified before anything changes).
import Router from '@koa/router';
import { z } from 'zod';
import { licenceSummary } from '../../../../licensing';
import { isAppError } from '../../../common/errors';
import type { ApiDeps, ApiState } from '../../context';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { judgeOptions } from '../../commands/fingerprint-cache';

const installSchema = z.object({ licence: z.string().min(1, 'paste or upload the licence file').max(65_536, 'a licence file is a few kilobytes') });

export function licenseRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/license' });
  const now = () => deps.now?.();

  router.get('/', can(deps, 'license.read'), async (ctx) => {
    const e = await deps.licence.current(await judgeOptions(deps));
    // The last `korobka selftest` (what this hardware carries), without its per-step details.
    const st = deps.store.selftests.latest();
    const selftest = st ? { ranAt: st.ranAt, mode: st.mode, profile: st.profile, callsPerSecond: st.callsPerSecond, heldCalls: st.heldCalls, audioSecondsPerSecond: st.audioSecondsPerSecond, machine: st.machine } : null;
    ctx.body = { ...licenceSummary(e), usage: { tenants: deps.store.tenants.list().length }, selftest };
  });

  router.get('/request', can(deps, 'license.write'), async (ctx) => {
    const text = await deps.licence.activationRequest();
    audit(deps, ctx, { tenantId: null, action: 'license.request' });
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Content-Disposition', 'attachment; filename="korobka-activation-request.txt"');
    ctx.body = text;
  });

  router.put('/', can(deps, 'license.write'), async (ctx) => {
    const { licence } = parseInput(installSchema, ctx.state.body);
    try {
      const e = await deps.licence.install(licence, now());
      audit(deps, ctx, { tenantId: null, action: 'license.install', details: { licenceId: e.licence?.licenceId, profile: e.profile.name, state: e.state } });
      ctx.body = licenceSummary(e);
    } catch (err) {
      if (isAppError(err)) audit(deps, ctx, { tenantId: null, action: 'license.install', outcome: 'failed', details: { reason: (err.details as { reason?: string })?.reason ?? err.code } });
      throw err;
    }
  });

  return router;
}
