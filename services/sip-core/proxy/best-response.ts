// RFC 3261 §16.7 step 6: the response a proxy forwards when no target
// answered 2xx: any 6xx; else the lowest class, preferring among 4xx the
// ones a UAC can act on (401, 407, 415, 420, 484).
import type { SipResponse } from '../sip/message';

const ACTIONABLE = new Set([401, 407, 415, 420, 484]);

export function bestResponse(finals: readonly SipResponse[]): SipResponse | undefined {
  const sixx = finals.find((r) => r.status >= 600);
  if (sixx) return sixx;
  let best: SipResponse | undefined;
  for (const r of finals) {
    if (!best) best = r;
    else if (Math.floor(r.status / 100) < Math.floor(best.status / 100)) best = r;
    else if (Math.floor(r.status / 100) === 4 && Math.floor(best.status / 100) === 4 && ACTIONABLE.has(r.status) && !ACTIONABLE.has(best.status)) best = r;
  }
  return best;
}
