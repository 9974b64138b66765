// The time to pass to evaluateLicence. The box's clock is the customer's to
// set, so the appliance keeps the latest time it has seen (in its database)
// and never lets the licence clock run backwards: setting the clock back
// does not revive an expired licence.

/** A jump back by more than this is reported (NTP corrections are far smaller). */
export const ROLLBACK_TOLERANCE_MS = 86_400_000;

export interface TrustedTime {
  /** max(clock, highWater): what to evaluate the licence at, and the new high-water mark to store. */
  now: Date;
  /** The clock is more than a day behind a time already seen. */
  rolledBack: boolean;
}

export function trustedNow(clock: Date, highWater: Date | undefined): TrustedTime {
  if (highWater === undefined || clock.getTime() >= highWater.getTime()) return { now: clock, rolledBack: false };
  return { now: highWater, rolledBack: highWater.getTime() - clock.getTime() > ROLLBACK_TOLERANCE_MS };
}
