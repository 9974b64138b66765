// The time to pass to evaluateLicence. The box's clock is the customer's to
// set, so the appliance keeps the latest time it has seen (a high-water mark)
// and never lets the licence clock run backwards: setting the clock back
// does not revive an expired licence. The mark itself may only advance as
// fast as time this machine has seen pass (the kernel's uptime, which the
// clock setting does not move) plus an hour, so one wrong reading of a clock
// jumped years ahead cannot expire a valid licence for good once the clock is
// put right. Across a reboot the elapsed time is unknown: the mark restarts
// from itself, so the rollback check is weaker by the time the box was off.

const DAY_MS = 86_400_000;
/** A jump back by more than this is reported (NTP corrections are far smaller). */
export const ROLLBACK_TOLERANCE_MS = DAY_MS;
/** How far the mark may run ahead of the time seen to pass: well under the rollback tolerance, so a jump put right is not then reported as a clock set back. */
export const MARK_LEAD_MS = 3_600_000;

export interface TrustedTime {
  /** max(clock, highWater): what to evaluate the licence at. */
  now: Date;
  /** The clock is more than a day behind a time already seen. */
  rolledBack: boolean;
}

export function trustedNow(clock: Date, highWater: Date | undefined): TrustedTime {
  if (highWater === undefined || clock.getTime() >= highWater.getTime()) return { now: clock, rolledBack: false };
  return { now: highWater, rolledBack: highWater.getTime() - clock.getTime() > ROLLBACK_TOLERANCE_MS };
}

/** This boot of the machine: its id and seconds since it started (monotonic, unaffected by setting the clock). */
export interface Boot {
  id: string;
  uptimeS: number;
}

/** The stored mark, with where this boot started counting from. */
export interface HighWaterMark {
  /** The latest time seen (ISO 8601). */
  at: string;
  /** The mark when this boot first judged, and the uptime then. */
  base?: { at: string; bootId: string; uptimeS: number };
}

export interface MarkStep {
  /** The mark to store, or undefined when it does not move. */
  next?: HighWaterMark;
  /** How far the clock is ahead of the time seen to pass plus MARK_LEAD_MS (0: not ahead). */
  aheadMs: number;
}

/** Where the mark goes after reading `clock`: up to the clock, but not past the base + time passed + MARK_LEAD_MS. */
export function advanceMark(seen: HighWaterMark | undefined, clock: Date, boot: Boot): MarkStep {
  const c = clock.getTime();
  if (!seen) return { next: { at: clock.toISOString(), base: { at: clock.toISOString(), bootId: boot.id, uptimeS: boot.uptimeS } }, aheadMs: 0 };
  const sameBoot = seen.base && seen.base.bootId === boot.id && boot.uptimeS >= seen.base.uptimeS;
  const base = sameBoot ? seen.base! : { at: seen.at, bootId: boot.id, uptimeS: boot.uptimeS };
  const ceiling = new Date(base.at).getTime() + (boot.uptimeS - base.uptimeS) * 1000 + MARK_LEAD_MS;
  const at = Math.max(new Date(seen.at).getTime(), Math.min(c, ceiling));
  const moved = at !== new Date(seen.at).getTime() || base !== seen.base;
  return { next: moved ? { at: new Date(at).toISOString(), base } : undefined, aheadMs: Math.max(0, c - ceiling) };
}
