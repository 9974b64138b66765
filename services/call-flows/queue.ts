// A call queue: who answers (its members: static, always logged in, or
// dynamic, logging in and out), how the next agent is chosen, what the
// waiting caller hears, and when the caller leaves for the overflow.
// Asterisk's app_queue and FreeSWITCH's mod_callcenter are the references
// (notes/wave2-facts.md §2); the names here are theirs where they agree.
import { z } from 'zod';
import { destinationSchema, FLOW_RULE } from './destination';

export const queueStrategies = [
  'ring-all',
  'linear',
  'round-robin',
  'least-recent',
  'fewest-calls',
  'random',
  'longest-idle',
  'skills',
] as const;
export type QueueStrategy = (typeof queueStrategies)[number];

const promptId = z.number().int().positive('must be a prompt id');
const skillName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a skill is 1–32 lower-case letters, digits, - or _');
const skillLevel = z.number().int().min(1, 'must be 1–10').max(10, 'must be 1–10');

export const queueMemberSchema = z.object({
  extension: z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits'),
  /** static: always logged in (may still pause); dynamic: logs in and out by feature code, UI or API. */
  mode: z.enum(['static', 'dynamic'], { message: 'must be static or dynamic' }).default('static'),
  /** Lower is offered first (app_queue's penalty): agents of penalty 1 get calls only when every penalty-0 agent is busy. */
  penalty: z.number().int().min(0, 'must be 0–9').max(9, 'must be 0–9').default(0),
  /** skill → level 1–10, for the `skills` strategy. */
  skills: z.record(skillName, skillLevel).default({}),
});

export const queueSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
    strategy: z.enum(queueStrategies, { message: `must be one of ${queueStrategies.join(', ')}` }).default('longest-idle'),
    members: z.array(queueMemberSchema).min(1, 'a queue needs at least one member').max(200, 'at most 200 members'),
    /** `skills` strategy: skill → minimum level an agent must have to be offered the call. */
    requiredSkills: z.record(skillName, skillLevel).default({}),
    /** Seconds one agent's phone rings before the call is offered to the next one (a miss). */
    ringTimeout: z.number().int().min(5, 'must be 5–120 seconds').max(120, 'must be 5–120 seconds').default(15),
    /** Seconds after a queue call ends before the agent is offered another. */
    wrapUp: z.number().int().min(0, 'must be 0–600 seconds').max(600, 'must be 0–600 seconds').default(10),
    /** An agent who misses this many offers in a row is paused (reason `missed`); 0 never. */
    autoPauseAfter: z.number().int().min(0, 'must be 0–20').max(20, 'must be 0–20').default(3),
    /** Callers waiting at most; the next goes to `overflow` (0: no limit). */
    maxCallers: z.number().int().min(0, 'must be 0–1000').max(1000, 'must be 0–1000').default(0),
    /** Seconds a caller waits at most before `overflow` (0: no limit). */
    maxWait: z.number().int().min(0, 'must be 0–7200 seconds').max(7200, 'must be 0–7200 seconds').default(600),
    /** Let a caller in when no agent is logged in (else straight to `overflow`), and keep them when the last one logs out. */
    joinEmpty: z.boolean().default(false),
    /** Answered within this many seconds counts towards the service level. */
    serviceLevel: z.number().int().min(1, 'must be 1–600 seconds').max(600, 'must be 1–600 seconds').default(20),
    greeting: promptId.nullable().default(null),
    /** Music on hold: a prompt, looped. */
    music: promptId.nullable().default(null),
    /** Seconds between "your position is N" announcements (0: never). */
    announceEvery: z.number().int().min(0, 'must be 0–600 seconds').max(600, 'must be 0–600 seconds').default(30),
    /** Add "expected wait about M minutes" to the position announcement. */
    announceWait: z.boolean().default(true),
    /** The language of the spoken position and wait (text to speech). */
    language: z.enum(['ru', 'en'], { message: 'must be ru or en' }).default('ru'),
    overflow: destinationSchema.default({ type: 'hangup', status: 480, reason: 'Temporarily Unavailable' }),
  })
  .superRefine((q, ctx) => {
    const seen = new Map<string, number>();
    q.members.forEach((m, i) => {
      const first = seen.get(m.extension);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['members', i, 'extension'],
          message: `${m.extension} is already members[${first}]`,
          params: FLOW_RULE,
        });
      else seen.set(m.extension, i);
    });
    if (q.strategy === 'skills' && Object.keys(q.requiredSkills).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['requiredSkills'],
        message: 'the skills strategy needs at least one required skill',
        params: FLOW_RULE,
      });
  });

export type QueueConfig = z.infer<typeof queueSchema>;
export type QueueInput = z.input<typeof queueSchema>;
export type QueueMember = QueueConfig['members'][number];
