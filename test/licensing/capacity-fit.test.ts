// The margin rule: a profile is honoured when held calls, set-up rate and
// conversion all reach 1.5× what its concurrent calls need, and held calls
// count only from a step that offered enough.
import { describe, expect, it } from 'vitest';
import { capacityFit, needsOf } from '../../licensing/capacity-fit';

describe('capacityFit', () => {
  it('needs 1.5× the concurrent calls held, 1.5× of them set up in 30 s, 1.5× half of them converted in real time', () => {
    expect(needsOf(16)).toEqual({ heldCalls: 24, callsPerSecond: 0.8, audioSecondsPerSecond: 12 });
    expect(needsOf(256)).toEqual({ heldCalls: 384, callsPerSecond: 12.8, audioSecondsPerSecond: 192 });
  });

  it('honours the largest profile every figure covers', () => {
    const fit = capacityFit({ callsPerSecond: 60, heldSteps: [{ offered: 24, held: 24 }, { offered: 96, held: 96 }, { offered: 384, held: 300 }], audioSecondsPerSecond: 2000 });
    expect(fit.profile).toBe('M');
    expect(fit.heldCalls).toBe(300);
    expect(fit.checks.find((c) => c.profile === 'L')!.ok).toEqual({ held: false, setup: true, conversion: true });
  });

  it('is held back by its weakest figure', () => {
    expect(capacityFit({ callsPerSecond: 60, heldSteps: [{ offered: 384, held: 384 }], audioSecondsPerSecond: 40 }).profile).toBe('S');
    expect(capacityFit({ callsPerSecond: 60, heldSteps: [{ offered: 384, held: 384 }], audioSecondsPerSecond: 767 }).profile).toBe('L');
    expect(capacityFit({ callsPerSecond: 1, heldSteps: [{ offered: 384, held: 384 }], audioSecondsPerSecond: 5000 }).profile).toBe('S');
  });

  it('does not count held calls from a step that offered fewer than needed', () => {
    // A quick run offers 6: it can show eval at most, however fast the rest.
    const fit = capacityFit({ callsPerSecond: 100, heldSteps: [{ offered: 6, held: 6 }], audioSecondsPerSecond: 5000 });
    expect(fit.profile).toBe('eval');
    expect(capacityFit({ callsPerSecond: 100, heldSteps: [{ offered: 6, held: 5 }], audioSecondsPerSecond: 5000 }).profile).toBeNull();
  });

  it('reaches XL only with 1,536 calls held, 51.2 calls/s and 768 s of audio per second', () => {
    expect(capacityFit({ callsPerSecond: 51.2, heldSteps: [{ offered: 1536, held: 1536 }], audioSecondsPerSecond: 768 }).profile).toBe('XL');
    expect(capacityFit({ callsPerSecond: 51.1, heldSteps: [{ offered: 1536, held: 1536 }], audioSecondsPerSecond: 768 }).profile).toBe('L');
  });
});
