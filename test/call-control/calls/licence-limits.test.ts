import { describe, expect, it } from 'vitest';
import { LicenceLimits } from '../../../services/call-control/calls/licence-limits';
import { createLogger } from '../../../services/common/logger';
import { EVAL_LIMITS, PROFILES } from '../../../licensing/profiles';

const lines: string[] = [];
const log = createLogger({ sink: (l: string) => lines.push(l) });

describe('LicenceLimits', () => {
  it('starts at the eval limits and follows the licence on refresh', async () => {
    let profile: 'eval' | 'S' = 'S';
    const l = new LicenceLimits({ evaluate: async () => ({ limits: PROFILES[profile].limits, profile: { name: profile }, state: 'valid' }), log });
    expect(l.limits).toEqual(EVAL_LIMITS);
    await l.refresh();
    expect(l.summary).toEqual({ profile: 'S', state: 'valid', concurrentCalls: 16 });
    profile = 'eval';
    await l.refresh();
    expect(l.limits.concurrentCalls).toBe(4);
  });

  it('keeps the last limits when evaluation throws, and logs it', async () => {
    let fail = false;
    const l = new LicenceLimits({
      evaluate: async () => {
        if (fail) throw new Error('disk gone');
        return { limits: PROFILES.M.limits, profile: { name: 'M' }, state: 'valid' };
      },
      log,
    });
    await l.refresh();
    fail = true;
    await l.refresh();
    expect(l.limits.concurrentCalls).toBe(64);
    expect(lines.some((s) => s.includes('licence evaluation failed'))).toBe(true);
  });
});
