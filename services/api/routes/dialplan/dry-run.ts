// What the dial plan would do with a dialled string, without placing a
// call: the same DialPlan call-control builds per call (loadDialPlan), so
// the answer is what a phone of that extension would get now. Admins check
// a new route with it before anyone dials.
import { checkOutboundPermission, loadDialPlan, type DialDecision, type OutboundPermission } from '../../../dialplan';
import type { ApiDeps } from '../../context';
import { validationFailed } from '../../errors';
import { trunkByRef } from './trunk-refs';

export interface DryRunTrunk {
  /** As the route names it. */
  ref: string;
  id: number | null;
  name: string | null;
  enabled: boolean;
  /** What this trunk would be sent in the Request-URI user part. */
  dialNumber: string;
}

export interface DryRunResult {
  dialled: string;
  outcome: DialDecision['kind'];
  normalised: { number: string; class: string } | null;
  /** null when no extension was given: routing is shown as if every class were allowed. */
  permission: { extension: string; level: OutboundPermission; allowed: boolean; required: OutboundPermission | null } | null;
  refusal: { code: string; message: string; sipStatus: number } | null;
  route: { id: string; name: string; dialNumber: string; trunks: DryRunTrunk[] } | null;
}

export function dryRun(deps: ApiDeps, tenantId: number, number: string, extension?: string): DryRunResult {
  let level: OutboundPermission = 'international';
  if (extension !== undefined) {
    const ext = deps.store.extensions.get(tenantId, extension);
    if (!ext) throw validationFailed([{ field: 'extension', message: `no extension ${extension} in this tenant` }]);
    level = ext.outboundPermission;
  }
  const stored = deps.store.outboundRoutes.list(tenantId);
  const decision = loadDialPlan({ settings: deps.store.settings, routes: deps.store.outboundRoutes }, tenantId).decide(number, level);
  const n = decision.kind === 'refused' ? decision.normalised : decision;
  const verdict = n && extension !== undefined ? checkOutboundPermission(level, n.class) : undefined;
  const trunks = deps.store.trunks.list(tenantId);
  const route =
    decision.kind === 'outbound'
      ? {
          id: decision.route.routeId,
          name: stored.find((r) => r.id === decision.route.routeId)?.name ?? '',
          dialNumber: decision.route.dialNumber,
          trunks: decision.route.trunks.map((ref) => {
            const t = trunkByRef(trunks, ref);
            return { ref, id: t?.id ?? null, name: t?.name ?? null, enabled: t?.enabled ?? false, dialNumber: decision.route.dialNumber };
          }),
        }
      : null;
  return {
    dialled: number,
    outcome: decision.kind,
    normalised: n ? { number: n.number, class: n.class } : null,
    permission: verdict && extension !== undefined ? { extension, level, allowed: verdict.allowed, required: verdict.allowed ? null : verdict.required } : null,
    refusal: decision.kind === 'refused' ? { code: decision.code, message: decision.message, sipStatus: decision.sipStatus } : null,
    route,
  };
}
