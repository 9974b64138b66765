// A ring group: who rings, in what order, and where an unanswered call goes.
import { z } from 'zod';
import { destinationSchema, FLOW_RULE } from './destination';

export const ringStrategies = ['ring-all', 'hunt', 'round-robin', 'least-recent', 'fewest-calls', 'random'] as const;
export type RingStrategy = (typeof ringStrategies)[number];

export const ringMemberSchema = z.object({
  extension: z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits'),
  /** Seconds after the group starts (ring-all) or the member's turn starts (hunt and the rest) before this phone rings. */
  delay: z.number().int().min(0, 'must be 0–120 seconds').max(120, 'must be 0–120 seconds').default(0),
  /** How long this member rings before the next one is tried. */
  timeout: z.number().int().min(5, 'must be 5–300 seconds').max(300, 'must be 5–300 seconds').default(20),
});

export const ringGroupSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
    strategy: z.enum(ringStrategies, { message: `must be one of ${ringStrategies.join(', ')}` }).default('ring-all'),
    members: z.array(ringMemberSchema).min(1, 'a ring group needs at least one member').max(64, 'at most 64 members'),
    skipDnd: z.boolean().default(true),
    skipBusy: z.boolean().default(true),
    skipUnregistered: z.boolean().default(true),
    /** The whole group's no-answer time, after which the call goes to `overflow`. */
    timeout: z.number().int().min(5, 'must be 5–600 seconds').max(600, 'must be 5–600 seconds').default(60),
    overflow: destinationSchema.default({ type: 'hangup', status: 480, reason: 'Temporarily Unavailable' }),
  })
  .superRefine((g, ctx) => {
    const seen = new Map<string, number>();
    g.members.forEach((m, i) => {
      const first = seen.get(m.extension);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['members', i, 'extension'], message: `${m.extension} is already members[${first}]`, params: FLOW_RULE });
      else seen.set(m.extension, i);
    });
  });

export type RingGroupConfig = z.infer<typeof ringGroupSchema>;
export type RingGroupInput = z.input<typeof ringGroupSchema>;
