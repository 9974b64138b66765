// The `extension` destination: every phone of the extension at once, with
// its DND and forwarding (calls/fork-call.ts), a forward to an outside
// number going out as a dialled one does. A caller the PBX answered already
// (an IVR's dial-by-extension) has no INVITE left to ring inside: its phones
// are rung by the ring action, which re-INVITEs the caller onto the phone
// that answers (forwarding is not applied there yet).
import { destinationOf, type Destination } from '../routing/destination';
import { bridgeCall } from '../calls/bridge-call';
import { routeToExtension } from '../calls/call-router';
import { recordForwards } from '../calls/fork-call';
import { Forwarding, type Hop } from '../calls/forwarding';
import { natProxy } from '../registrar/location-service';
import { placeOutboundCall } from '../trunks/outbound-call';
import type { CallActions } from '../actions/actions';
import type { Feature, Next } from './feature';
import { partiesOf, recordingOf, type FlowCall, type FlowDeps } from './flow';

export function extensionFeature(
  to: Extract<Destination, { kind: 'extension' }>,
  deps: FlowDeps,
  flow: FlowCall,
  actions: Pick<CallActions, 'ring'>,
): Feature {
  return {
    async run(): Promise<Next> {
      const { call } = flow;
      if (call.state === 'answered') return ringAnswered(call, to.extension, deps.ringTimeoutMs, actions);
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
              {
                call,
                tenantId: call.tenantId,
                extension: hop.forwards.at(-1)?.from ?? flow.origin.extension,
                req: flow.a.req,
                res: flow.a.res,
                legs: flow.legs,
                offerSdp: sdp,
                route: hop.decision.route,
                number: hop.decision.number,
                ringTimeoutMs: deps.ringTimeoutMs,
                cancelled: () => flow.a.cancelled,
                onAnswered: deps.onAnswered,
                parties: partiesOf(flow, route.number, false),
                ...(recording ? { recording } : {}),
              },
            )
        : undefined;
      const forwarding = new Forwarding(deps.router, call.tenantId);
      // The extension's mobile rings with (or instead of) its desk phones, per its SIM's ring mode (issue 14).
      const ringHop = deps.features?.mobiles ? deps.features.mobiles.withMobile(call, route.hop, call.log) : route.hop;
      await bridgeCall(deps, {
        call,
        req: flow.a.req,
        res: flow.a.res,
        legs: flow.legs,
        offerSdp: flow.offerSdp,
        ring: { hop: ringHop, forwardAfter: forwarding.after.bind(forwarding), proxyFor: natProxy, ...(outbound ? { outbound } : {}) },
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

/** The extension rung for a caller the PBX answered; not answered: 480, as a phone that does not pick up. */
async function ringAnswered(
  call: FlowCall['call'],
  extension: string,
  ringTimeoutMs: number,
  actions: Pick<CallActions, 'ring'>,
): Promise<Next> {
  const outcome = await actions.ring(call, [{ extension }], { strategy: 'all', timeoutMs: ringTimeoutMs });
  if (outcome.kind !== 'not-answered') return { kind: 'done' };
  call.log.info('extension not answered', { extension, tried: outcome.tried.map((t) => t.why).join(' ') });
  return { kind: 'route', to: { kind: 'hangup', status: 480, reason: 'Temporarily Unavailable', code: 'no-answer' } };
}
