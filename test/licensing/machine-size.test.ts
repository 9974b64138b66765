import { describe, expect, it } from 'vitest';
import { collectMachineSize } from '../../licensing/collect-machine-size';
import { checkSizing } from '../../licensing/sizing';
import { PROFILES } from '../../licensing/profiles';

describe('collectMachineSize on this machine', () => {
  it('measures cores, memory and the free space holding a directory', async () => {
    const m = await collectMachineSize('.');
    expect(m.cores).toBeGreaterThanOrEqual(1);
    expect(m.ramBytes).toBeGreaterThan(256 * 2 ** 20);
    expect(m.freeDiskBytes).toBeGreaterThan(0);
    expect(checkSizing(PROFILES.eval, m).map((v) => v.item)).toEqual(['cpu', 'ram', 'disk']);
  });
});
