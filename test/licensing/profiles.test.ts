import { describe, expect, it } from 'vitest';
import { customProfile, PROFILES, recordingBytesPerYear, rtpPortsFor } from '../../licensing/profiles';

describe('PROFILES', () => {
  it('has the agreed calls, extensions and suggested hardware', () => {
    const table = Object.values(PROFILES).map((p) => [p.name, p.limits.concurrentCalls, p.limits.extensions, p.suggested.cpuCores, p.suggested.ramGiB]);
    expect(table).toEqual([
      ['eval', 4, 10, 1, 2],
      ['S', 16, 100, 2, 4],
      ['M', 64, 500, 4, 8],
      ['L', 256, 2000, 8, 16],
      ['XL', 1024, 10000, 16, 32],
    ]);
  });

  it('derives rtpengine ports: 4 per call doubled, at least 200, even', () => {
    expect(Object.values(PROFILES).map((p) => p.derived.rtpPorts)).toEqual([200, 200, 512, 2048, 8192]);
    expect(rtpPortsFor(101)).toBe(808);
    expect(PROFILES.M.derived.maxRegistrations).toBe(1500);
    expect(PROFILES.M.derived.openFiles).toBe(4096 + 512);
  });

  it('estimates recording disk from G.711 stereo at 8 kB/s per channel', () => {
    // 16 calls × 50% × 2,000 h × 3,600 s × 16,000 B/s = 921.6 GB
    expect(recordingBytesPerYear(16)).toEqual({ g711Stereo: 921_600_000_000, opusStereo: 230_400_000_000 });
    expect(PROFILES.XL.derived.recordingBytesPerYear.g711Stereo).toBe(58_982_400_000_000);
  });
});

describe('customProfile', () => {
  const licensed = PROFILES.M.limits;

  it('lowers limits within the licence and resizes what derives from them', () => {
    const r = customProfile(licensed, { concurrentCalls: 20, rtpPorts: 400, features: ['recording'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.profile.limits).toEqual({ concurrentCalls: 20, extensions: 500, tenants: 5, features: ['recording'] });
    expect(r.profile.derived.rtpPorts).toBe(400);
    expect(r.profile.suggested).toEqual({ cpuCores: 4, ramGiB: 8 }); // 500 extensions still need an M-sized box
  });

  it('reports every override beyond the licence at once', () => {
    const r = customProfile(licensed, { concurrentCalls: 65, extensions: 0, tenants: 6, features: ['recording'], rtpPorts: 10 });
    expect(r).toEqual({
      ok: false,
      problems: [
        { field: 'concurrentCalls', message: '65 exceeds the licensed 64' },
        { field: 'extensions', message: 'expected a whole number of at least 1, got 0' },
        { field: 'tenants', message: '6 exceeds the licensed 5' },
        { field: 'rtpPorts', message: 'expected at least 260 (4 per call for 65 calls), got 10' },
      ],
    });
    expect(customProfile(PROFILES.S.limits, { features: ['multi-tenant'] })).toEqual({ ok: false, problems: [{ field: 'features', message: 'multi-tenant is not licensed' }] });
  });
});
