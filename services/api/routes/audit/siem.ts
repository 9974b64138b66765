// GET/PUT /api/audit/siem: where the audit events are forwarded (one receiver
// for the appliance, superadmins only) and how far the forwarder got.
import type Router from '@koa/router';
import type { ApiDeps, ApiState } from '../../context';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { SIEM_CURSOR_KEY, SIEM_SETTINGS_KEY, siemSettingsSchema, type SiemSettings } from '../../../siem';

export function siemRoutes(router: Router<ApiState>, deps: ApiDeps): void {
  const view = () => {
    const settings = deps.store.settings.get<SiemSettings>(SIEM_SETTINGS_KEY) ?? null;
    const cursor = deps.store.settings.get<number>(SIEM_CURSOR_KEY) ?? 0;
    const lastRowId = deps.store.audit.list({ limit: 1 }).rows[0]?.id ?? 0;
    const live = deps.siem?.status();
    return {
      settings,
      status: { connected: live?.connected ?? false, cursor, lastRowId, waiting: Math.max(0, lastRowId - cursor), lastError: live?.lastError ?? null, lastSentAt: live?.lastSentAt ?? null },
    };
  };

  router.get('/siem', can(deps, 'audit.siem'), async (ctx) => {
    ctx.body = view();
  });

  router.put('/siem', can(deps, 'audit.siem'), async (ctx) => {
    const next = parseInput(siemSettingsSchema, ctx.state.body);
    deps.store.settings.set(SIEM_SETTINGS_KEY, next);
    const { ca, ...shown } = next;
    audit(deps, ctx, { tenantId: null, action: 'audit.siem.update', target: 'siem', details: { ...shown, ca: ca ? 'set' : 'none' } });
    ctx.body = view();
  });
}
