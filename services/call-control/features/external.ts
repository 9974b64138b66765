// The `external` destination: a number out through the outbound route's
// trunks (trunks/outbound-call.ts), with the calling extension's caller ID.
import { destinationOf, type Destination } from '../routing/destination';
import { routeExternal } from '../calls/call-router';
import { recordForwards } from '../calls/fork-call';
import { placeOutboundCall } from '../trunks/outbound-call';
import type { Feature, Next } from './feature';
import { partiesOf, recordingOf, type FlowCall, type FlowDeps } from './flow';

export function externalFeature(to: Extract<Destination, { kind: 'external' }>, deps: FlowDeps, flow: FlowCall): Feature {
  return {
    async run(): Promise<Next> {
      const { call } = flow;
      const route = to.route ?? routeExternal(deps.router, call.tenantId, to.number);
      if (route.kind !== 'trunk') return { kind: 'route', to: destinationOf(route) };
      if (!deps.trunks) return { kind: 'route', to: { kind: 'refuse', status: 404, reason: 'Outbound calls are not available', code: 'outbound-not-available' } };
      if (!to.route) recordForwards(deps.recorder, call.id, route.forwards ?? []);
      const recording = recordingOf(deps, flow, route.number);
      await placeOutboundCall(
        { ...deps, trunks: deps.trunks },
        {
          call,
          tenantId: call.tenantId,
          // The extension placing the call shows its caller ID; after a forward to an outside number, the forwarding one.
          extension: route.forwards?.at(-1)?.from ?? flow.origin.extension,
          req: flow.a.req,
          res: flow.a.res,
          legs: flow.legs,
          offerSdp: flow.offerSdp,
          route: route.route,
          number: route.number,
          ringTimeoutMs: deps.ringTimeoutMs,
          cancelled: () => flow.a.cancelled,
          onAnswered: deps.onAnswered,
          parties: partiesOf(flow, route.number, false),
          ...(recording ? { recording } : {}),
        },
      );
      return { kind: 'done' };
    },
    stop: () => undefined,
  };
}
