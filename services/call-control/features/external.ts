// The `external` destination: a number out through the outbound route's
// trunks (trunks/outbound-call.ts), with the calling extension's caller ID.
// A recording notice on the route (issue 11 item 7) is played once the
// called party answers, before the parties hear each other: to the caller,
// and to the called party when the tenant asks (`toCalled`); the CDR's path
// shows `notice:<prompt>`.
import { destinationOf, type Destination } from '../routing/destination';
import { routeExternal } from '../calls/call-router';
import { recordForwards } from '../calls/fork-call';
import { placeOutboundCall } from '../trunks/outbound-call';
import type { Feature, FeatureDeps, Next } from './feature';
import { partiesOf, recordingOf, type FlowCall, type FlowDeps } from './flow';

export function externalFeature(
  to: Extract<Destination, { kind: 'external' }>,
  deps: FlowDeps,
  flow: FlowCall,
  ports?: Pick<FeatureDeps, 'actions' | 'prompts' | 'lists'>,
): Feature {
  return {
    async run(): Promise<Next> {
      const { call } = flow;
      const route = to.route ?? routeExternal(deps.router, call.tenantId, to.number);
      if (route.kind !== 'trunk') return { kind: 'route', to: destinationOf(route) };
      if (!deps.trunks) return { kind: 'route', to: { kind: 'refuse', status: 404, reason: 'Outbound calls are not available', code: 'outbound-not-available' } };
      if (!to.route) recordForwards(deps.recorder, call.id, route.forwards ?? []);
      const recording = recordingOf(deps, flow, route.number);
      const beforeJoin = ports && routeNotice(ports, flow, route.route.routeId);
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
          ...(beforeJoin ? { beforeJoin } : {}),
        },
      );
      return { kind: 'done' };
    },
    stop: () => undefined,
  };
}

/** The route's recording notice as the step before the parties are joined; none when the route has none. */
function routeNotice(ports: Pick<FeatureDeps, 'actions' | 'prompts' | 'lists'>, flow: FlowCall, routeId: string): (() => Promise<unknown>) | undefined {
  const { call } = flow;
  const notice = ports.lists?.routeNotice?.(call.tenantId, routeId);
  if (!notice?.enabled || notice.prompt === null) return undefined;
  const id = notice.prompt;
  const prompt = ports.prompts.file(call.tenantId, id);
  if (!prompt) {
    // Saving refuses a prompt of another tenant; deleted since, the call still goes out, loudly logged.
    call.log.error('recording notice prompt missing', { prompt: id, route: routeId });
    return undefined;
  }
  return async () => {
    call.path.push(`notice:${id}`);
    const played = await ports.actions.announce(call, prompt, { toCallee: notice.toCalled });
    call.log.info('recording notice played', { prompt: id, route: routeId, toCalled: notice.toCalled, outcome: played.kind });
  };
}
