// The hardware fingerprint, collected once and kept for a while: collecting
// it took 350–610 ms with the event loop stalled, on every licence page view
// and every extension created. Hardware does not change between two clicks;
// a replaced part shows within TTL_MS.
import { collectFingerprint, type FingerprintComponent, type JudgeOptions } from '../../../licensing';
import type { ApiDeps } from '../context';

const TTL_MS = 10 * 60_000;

export class FingerprintCache {
  private value: Promise<readonly FingerprintComponent[]> | undefined;
  private at = 0;
  constructor(private readonly collect: () => Promise<readonly FingerprintComponent[]> = collectFingerprint) {}

  readonly get = (): Promise<readonly FingerprintComponent[]> => {
    if (!this.value || Date.now() - this.at > TTL_MS) {
      this.at = Date.now();
      const v = this.collect();
      this.value = v;
      // A failed collection is not kept: the next call tries again.
      v.catch(() => {
        if (this.value === v) this.value = undefined;
      });
    }
    return this.value;
  };
}

/** How to judge the licence now: the request's clock and the cached fingerprint. */
export async function judgeOptions(deps: ApiDeps): Promise<JudgeOptions> {
  const now = deps.now?.();
  return { ...(now ? { now } : {}), ...(deps.fingerprint ? { fingerprint: await deps.fingerprint() } : {}) };
}
