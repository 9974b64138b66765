// A tenant's dial plan from the store: the numbering plan from the setting
// `dialplan.numbering`, the routes from outbound_routes. Saving validates
// the whole list with OutboundRouter first, so the store never holds a
// route list that call-control would refuse at start.
import { DialPlan } from './dial-plan';
import { OutboundRouter, outboundRouteSchema, type OutboundRouteInput, type OutboundRoute } from './outbound-router';
import { numberingConfigSchema, type NumberingConfig } from './normalise';
import { validationFailed } from '../common/errors';

export const NUMBERING_SETTING = 'dialplan.numbering';

export interface DialPlanStores {
  settings: { get<T>(key: string, tenantId?: number | null): T | undefined; set(key: string, value: unknown, tenantId?: number | null): void };
  routes: { list(tenantId: number): OutboundRoute[]; replaceAll(tenantId: number, routes: readonly OutboundRoute[]): void };
}

export function loadDialPlan(stores: DialPlanStores, tenantId: number): DialPlan {
  return new DialPlan(stores.settings.get<unknown>(NUMBERING_SETTING, tenantId) ?? {}, stores.routes.list(tenantId));
}

/** Validates and stores a tenant's ordered routes; throws `validation-failed` naming each bad field. */
export function saveRoutes(stores: DialPlanStores, tenantId: number, input: readonly OutboundRouteInput[]): OutboundRoute[] {
  new OutboundRouter(input); // all problems at once, nothing written
  const routes = input.map((r) => outboundRouteSchema.parse(r));
  stores.routes.replaceAll(tenantId, routes);
  return routes;
}

export function saveNumbering(stores: DialPlanStores, tenantId: number, input: unknown): NumberingConfig {
  const parsed = numberingConfigSchema.safeParse(input);
  if (!parsed.success) throw validationFailed(parsed.error.issues.map((i) => ({ field: `numbering.${i.path.join('.')}`, message: i.message })));
  stores.settings.set(NUMBERING_SETTING, parsed.data, tenantId);
  return parsed.data;
}
