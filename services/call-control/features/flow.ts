// What the built-in destinations (extension, external) need of an admitted
// call that features do not see: srf's request and response, the media
// session opened at admission and the origin (invite-handler.ts builds one
// per call).
import type { Call } from '../call/call';
import type { SrfCallerLeg } from '../call/srf-legs';
import type { BridgeDeps, CallParties } from '../calls/bridge-call';
import type { RouterStores } from '../calls/call-router';
import type { MediaLegs } from '../calls/media-legs';
import { CallRecording, type RecordingDeps } from '../calls/recording';
import type { Origin } from '../trunks/inbound-origin';
import type { TrunkCallDeps } from '../trunks/outbound-call';
import type { FeaturePorts } from './feature';

export interface FlowDeps extends BridgeDeps {
  router: RouterStores;
  ringTimeoutMs: number;
  recording?: RecordingDeps;
  trunks?: TrunkCallDeps;
  /** Counts a call answered (health's calls.answered). */
  onAnswered(): void;
  /** The service's feature ports (invite-handler passes its deps on whole): the extension rings the mobile through `mobiles`. */
  features?: FeaturePorts;
}

export interface FlowCall {
  call: Call;
  a: SrfCallerLeg;
  legs: MediaLegs;
  /** rtpengine's SDP for the called side, from the caller's offer. */
  offerSdp: string;
  origin: Origin;
}

/** Feature codes and transfers are honoured only from our own extensions, never from the outside party. */
export function callerSide(flow: FlowCall): ReadonlyArray<'caller'> {
  return flow.origin.trunk ? [] : ['caller'];
}

export function partiesOf(flow: FlowCall, callee: string, calleeIsExtension: boolean): CallParties {
  const sides = callerSide(flow);
  return { tenantId: flow.call.tenantId, caller: flow.origin.caller.number, callee, extensionParties: calleeIsExtension ? [...sides, 'callee'] : sides };
}

/** The tenant's recording policy for this call, decided at answer; none without the recordings gate. */
export function recordingOf(deps: FlowDeps, flow: FlowCall, callee: string): CallRecording | undefined {
  if (!deps.recording) return undefined;
  const { call, origin } = flow;
  return new CallRecording(deps.recording, { tenantId: call.tenantId, cdrId: call.id, caller: origin.caller.number, callee, direction: call.direction, ...(origin.trunk ? { trunk: origin.trunk.name } : {}) }, call.log);
}
