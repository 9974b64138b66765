// Issue 16 item 11: who may pause a mandatory (`always`) recording, and for
// how long. Pausing exists for card data (PCI DSS: a customer reads out a card
// number); without a policy the employee on the call could pause for the rest
// of the call and the "mandatory" recording held nothing. A tenant chooses:
//   nobody      — a mandatory recording is never paused;
//   employee    — the employee on the call (feature code *2 or the API), and staff above;
//   supervisor  — only supervisors and admins, through the API (not the phone's *2);
// and every pause of a mandatory recording resumes by itself after
// `maxSeconds`, raising an alarm. On-demand recordings are not concerned:
// whoever may start them may stop them.
import { z } from 'zod';

/** The tenant setting (SettingsRepo key) that holds the policy. */
export const PAUSE_POLICY_SETTING = 'recordings.pausePolicy';
/** Raised (per tenant) on every pause of a mandatory recording; its details name the last one. */
export const ALARM_MANDATORY_PAUSED = 'recording-mandatory-paused';

export const pauseWho = ['nobody', 'employee', 'supervisor'] as const;
export type PauseWho = (typeof pauseWho)[number];
/** Who asks for a pause: the employee on the call (a phone's *2, or an employee's API request), or staff above. */
export type PauseActor = 'employee' | 'supervisor';

export const pausePolicySchema = z.strictObject({
  who: z.enum(pauseWho, { message: 'must be nobody, employee or supervisor' }),
  maxSeconds: z.number().int().min(1, 'must be 1–3600 seconds').max(3600, 'must be 1–3600 seconds'),
});
export type PausePolicy = z.infer<typeof pausePolicySchema>;

/** Before a tenant chooses: card data still works from the phone, but never for more than two minutes. */
export const DEFAULT_PAUSE_POLICY: PausePolicy = Object.freeze({ who: 'employee', maxSeconds: 120 });

/** The stored value, or the default when none (or an unreadable one) is stored. */
export function pausePolicyOf(stored: unknown): PausePolicy {
  const p = pausePolicySchema.safeParse(stored);
  return p.success ? p.data : DEFAULT_PAUSE_POLICY;
}

export function mayPause(policy: PausePolicy, actor: PauseActor): boolean {
  if (policy.who === 'nobody') return false;
  return policy.who === 'employee' || actor === 'supervisor';
}
