// Which capacity profile a box can honour, from what `korobka selftest`
// measured on it. The margin rule: every figure must reach MARGIN (1.5×)
// what the profile needs at its licensed concurrent calls, so the box keeps
// a third of its capacity spare at full licensed load:
//  - held calls with media relayed both ways ≥ 1.5 × concurrent calls (that
//    many were offered and held at once);
//  - call set-up rate ≥ 1.5 × concurrent calls / 30 s (the whole licensed
//    load set up again within 30 s, as after a trunk comes back);
//  - recordings conversion ≥ 1.5 × half the concurrent calls, in seconds of
//    audio per second: every call recorded, with half the licensed calls
//    busy on average (the occupancy the profiles' recording disk estimate
//    assumes, RECORDING_ASSUMPTIONS); conversion runs after each call, so
//    its queue absorbs the peaks and it must keep up with the average.
import { PROFILES, RECORDING_ASSUMPTIONS, type ProfileName } from './profiles';

export const MARGIN = 1.5;
export const SETUP_WINDOW_SECONDS = 30;
export const MARGIN_RULE =
  'every figure ≥ 1.5 × what the profile needs: held calls ≥ 1.5 × its concurrent calls, set-up rate ≥ 1.5 × concurrent calls / 30 s, conversion ≥ 1.5 × half the concurrent calls in seconds of audio per second (all calls recorded, half the licence busy on average)';

export interface MeasuredCapacity {
  callsPerSecond: number;
  /** Each held-calls step: calls offered at once and calls held with media both ways. */
  heldSteps: ReadonlyArray<{ offered: number; held: number }>;
  audioSecondsPerSecond: number;
}

export interface ProfileCheck {
  profile: ProfileName;
  concurrentCalls: number;
  need: { heldCalls: number; callsPerSecond: number; audioSecondsPerSecond: number };
  ok: { held: boolean; setup: boolean; conversion: boolean };
  honoured: boolean;
}

export interface CapacityFit {
  /** The largest profile honoured with the margin; null: not even eval. */
  profile: ProfileName | null;
  /** Most calls held at once with media both ways. */
  heldCalls: number;
  checks: ProfileCheck[];
}

export function needsOf(concurrentCalls: number): ProfileCheck['need'] {
  return {
    heldCalls: Math.ceil(MARGIN * concurrentCalls),
    callsPerSecond: Math.round(((MARGIN * concurrentCalls) / SETUP_WINDOW_SECONDS) * 10) / 10,
    audioSecondsPerSecond: MARGIN * concurrentCalls * RECORDING_ASSUMPTIONS.occupancy,
  };
}

export function capacityFit(m: MeasuredCapacity): CapacityFit {
  const heldCalls = Math.max(0, ...m.heldSteps.map((s) => s.held));
  const checks = (['eval', 'S', 'M', 'L', 'XL'] as const).map((name): ProfileCheck => {
    const concurrentCalls = PROFILES[name].limits.concurrentCalls;
    const need = needsOf(concurrentCalls);
    // Held counts only from a step that offered at least what is needed, and held all of it.
    const ok = {
      held: m.heldSteps.some((s) => s.offered >= need.heldCalls && s.held >= need.heldCalls),
      setup: m.callsPerSecond >= need.callsPerSecond,
      conversion: m.audioSecondsPerSecond >= need.audioSecondsPerSecond,
    };
    return { profile: name, concurrentCalls, need, ok, honoured: ok.held && ok.setup && ok.conversion };
  });
  // Profiles are nested: a box that fails M cannot honour L, whatever one figure says.
  let profile: ProfileName | null = null;
  for (const c of checks) {
    if (!c.honoured) break;
    profile = c.profile;
  }
  return { profile, heldCalls, checks };
}
