// sip.timers in the appliance config: RFC 3261 defaults, ranges, T1 ≤ T2,
// and the test-only Session-Expires floor.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../appliance/config/load';
import { parseSessionExpires } from '../../services/sip-core/dialog/session-timer';

function problems(flags: Record<string, string>): string[] {
  try {
    loadConfig({ env: {}, flags: { dataDir: '/tmp/none-such', ...flags } });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('sip.timers', () => {
  it('defaults to RFC 3261 §17 values and the RFC 4028 floor', () => {
    const c = loadConfig({ env: {}, flags: { dataDir: '/tmp/none-such' } });
    expect(c.sip.timers).toEqual({ t1Ms: 500, t2Ms: 4000, t4Ms: 5000, testOnlyMinSessionExpiresS: 90 });
  });

  it('takes a short T1 for tests', () => {
    const c = loadConfig({ env: {}, flags: { dataDir: '/tmp/none-such', 'sip.timers.t1Ms': '50', 'sip.timers.t2Ms': '400' } });
    expect(c.sip.timers).toMatchObject({ t1Ms: 50, t2Ms: 400 });
  });

  it('refuses T1 above T2 and values out of range, naming each field', () => {
    expect(problems({ 'sip.timers.t1Ms': '5000', 'sip.timers.t2Ms': '4000' })).toEqual([
      '--sip.timers.t2Ms: sip.timers.t2Ms: must not be below sip.timers.t1Ms (5000), got 4000',
    ]);
    const p = problems({ 'sip.timers.t1Ms': '10', 'sip.timers.t4Ms': '0', 'sip.timers.testOnlyMinSessionExpiresS': '1' });
    expect(p).toHaveLength(3);
    expect(p[0]).toContain('sip.timers.t1Ms: expected 50–10000, got 10');
    expect(p[1]).toContain('sip.timers.t4Ms: expected 50–60000, got 0');
    expect(p[2]).toContain('sip.timers.testOnlyMinSessionExpiresS: expected 2–90, got 1');
  });
});

describe('Session-Expires floor', () => {
  it('is 90 s unless a lower test-only floor is given', () => {
    expect(parseSessionExpires('30;refresher=uac')).toBeUndefined();
    expect(parseSessionExpires('30;refresher=uac', 10)).toEqual({ seconds: 30, refresher: 'uac' });
    expect(parseSessionExpires('5', 10)).toBeUndefined();
  });
});
