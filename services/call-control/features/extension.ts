// The `extension` destination: every phone of the extension at once, with
// its DND and forwarding (calls/fork-call.ts), a forward to an outside
// number going out as a dialled one does.
import { destinationOf, type Destination } from '../routing/destination';
import { bridgeCall } from '../calls/bridge-call';
import { routeToExtension } from '../calls/call-router';
import { recordForwards } from '../calls/fork-call';
import { Forwarding, type Hop } from '../calls/forwarding';
import { natProxy } from '../registrar/location-service';
import { placeOutboundCall } from '../trunks/outbound-call';
import type { Feature, Next } from './feature';
import { partiesOf, recordingOf, type FlowCall, type FlowDeps } from './flow';

export function extensionFeature(to: Extract<Destination, { kind: 'extension' }>, deps: FlowDeps, flow: FlowCall): Feature {
  return {
    async run(): Promise<Next> {
      const { call } = flow;
      const route = to.route ?? routeToExtension(deps.router, call.tenantId, to.extension, to.extension);
      // A stored destination is decided now: its unconditional forwards (or refusal) are the CDR's.
      if (!to.route) recordForwards(deps.recorder, call.id, route.kind === 'extension' ? route.hop.forwards : (route.forwards ?? []));
      if (route.kind !== 'extension') return { kind: 'route', to: destinationOf(route) };
      const recording = recordingOf(deps, flow, route.number);
      const parties = partiesOf(flow, route.number, true);
      const trunks = deps.trunks;
      // A busy / no-answer / unreachable forward to an outside number goes out as a dialled one does.
      const outbound = trunks
        ? (hop: Extract<Hop, { kind: 'outbound' }>, sdp: string) =>
            placeOutboundCall(
              { ...deps, trunks },
              { call, tenantId: call.tenantId, extension: hop.forwards.at(-1)?.from ?? flow.origin.extension, req: flow.a.req, res: flow.a.res, legs: flow.legs, offerSdp: sdp, route: hop.decision.route, ringTimeoutMs: deps.ringTimeoutMs, cancelled: () => flow.a.cancelled, onAnswered: deps.onAnswered, parties: partiesOf(flow, route.number, false), ...(recording ? { recording } : {}) },
            )
        : undefined;
      const forwarding = new Forwarding(deps.router, call.tenantId);
      await bridgeCall(deps, {
        call,
        req: flow.a.req,
        res: flow.a.res,
        legs: flow.legs,
        offerSdp: flow.offerSdp,
        ring: { hop: route.hop, forwardAfter: forwarding.after.bind(forwarding), proxyFor: natProxy, ...(outbound ? { outbound } : {}) },
        ringTimeoutMs: deps.ringTimeoutMs,
        cancelled: () => flow.a.cancelled,
        onAnswered: deps.onAnswered,
        parties,
        ...(recording ? { recording } : {}),
      });
      return { kind: 'done' };
    },
    stop: () => undefined,
  };
}
