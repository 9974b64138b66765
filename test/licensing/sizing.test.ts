import { describe, expect, it } from 'vitest';
import { checkSizing } from '../../licensing/sizing';
import { PROFILES } from '../../licensing/profiles';

const GiB = 2 ** 30;

describe('checkSizing', () => {
  it('passes a machine that meets profile S with a year of G.711 recordings', () => {
    expect(checkSizing(PROFILES.S, { cores: 2, ramBytes: 4 * GiB, freeDiskBytes: 1e12 })).toEqual([
      { item: 'cpu', level: 'ok', message: 'CPU 2 cores meets the 2 suggested for profile S' },
      { item: 'ram', level: 'ok', message: 'RAM 4 GB meets the 4 GB suggested for profile S' },
      { item: 'disk', level: 'ok', message: 'Free disk 1,000 GB covers the 942 GB needed for profile S (system 20 GB + 1 year(s) of G.711 recordings)' },
    ]);
  });

  it('says in plain sentences what falls short', () => {
    expect(checkSizing(PROFILES.S, { cores: 1, ramBytes: 3.8 * GiB, freeDiskBytes: 200e9 })).toEqual([
      { item: 'cpu', level: 'warn', message: 'CPU 1 core is below the 2 cores suggested for profile S' },
      { item: 'ram', level: 'warn', message: 'RAM 3.8 GB is below the 4 GB suggested for profile S' },
      { item: 'disk', level: 'warn', message: 'Free disk 200 GB is below the 942 GB needed for profile S (system 20 GB + 1 year(s) of G.711 recordings)' },
    ]);
  });

  it('sizes disk for Opus, longer retention or no recording', () => {
    const m = { cores: 4, ramBytes: 8 * GiB, freeDiskBytes: 500e9 };
    expect(checkSizing(PROFILES.S, m, { codec: 'opus', retentionYears: 2 })[2]?.message).toBe(
      'Free disk 500 GB covers the 481 GB needed for profile S (system 20 GB + 2 year(s) of Opus recordings)',
    );
    expect(checkSizing(PROFILES.M, m, { retentionYears: 0 })[2]).toEqual({ item: 'disk', level: 'ok', message: 'Free disk 500 GB covers the 20 GB needed for the system with recording off' });
  });

  it('fails a machine Korobka cannot run on at all', () => {
    const v = checkSizing(PROFILES.eval, { cores: 1, ramBytes: 0.5 * GiB, freeDiskBytes: 5e9 });
    expect(v.map((x) => x.level)).toEqual(['ok', 'fail', 'fail']);
    expect(v[1]?.message).toBe('RAM 0.5 GB is below the 1 GB Korobka needs to run at all');
    expect(v[2]?.message).toBe('Free disk 5 GB is below the 20 GB the system needs');
  });
});
