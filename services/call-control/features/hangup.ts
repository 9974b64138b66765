// The `refuse` and `hangup` destinations: the caller's INVITE refused with
// the destination's status (a Reason header where the refusal names a
// cause), or, when the PBX already answered the caller (an IVR's last
// option), a BYE. Either way the call ends here with the CDR's reason.
import type { Call } from '../call/call';
import type { Destination } from '../routing/destination';
import type { Feature, Next } from './feature';

type Ending = Extract<Destination, { kind: 'refuse' | 'hangup' }>;

/** 486 and 480 are the callee's state (busy, unreachable); anything else is the system's decision. */
export function refusalSide(status: number): 'callee' | 'system' {
  return status === 486 || status === 480 ? 'callee' : 'system';
}

export function hangupFeature(to: Ending): Feature {
  return {
    async run(call: Call): Promise<Next> {
      if (call.ended) return { kind: 'done' };
      if (call.a.state !== 'answered' && call.a.state !== 'ended') {
        call.a.reject(to.status, to.reason, (to.kind === 'refuse' && to.headers) || {});
        await call.end(refusalSide(to.status), to.status, to.code);
      } else {
        await call.end('system', to.status, to.code ?? 'hangup');
      }
      return { kind: 'done' };
    },
    stop: () => undefined,
  };
}
