import { z } from 'zod';
import { pausePolicySchema, tenantRecordingPolicySchema } from '../../../recordings';

export const listQuerySchema = z.object({
  since: z.iso.datetime({ message: 'must be an ISO date-time' }).optional(),
  until: z.iso.datetime({ message: 'must be an ISO date-time' }).optional(),
  /** Caller or callee, exactly: an extension or a number. */
  number: z.string().regex(/^\+?[0-9*#]{2,32}$/, 'must be an extension or a phone number').optional(),
  limit: z.coerce.number().int().min(1, 'must be 1–200').max(200, 'must be 1–200').default(50),
  offset: z.coerce.number().int().min(0, 'must be 0 or more').default(0),
  tenantId: z.string().optional(),
});

export const legalHoldSchema = z.object({ hold: z.boolean({ message: 'must be true or false' }) }).strict();

export const policyInputSchema = z
  .object({
    policy: tenantRecordingPolicySchema,
    retentionDays: z.number().int().min(1, 'must be 1–36500').max(36500, 'must be 1–36500').nullable().default(null),
    quotaBytes: z.number().int().min(0, 'must be 0 or more').nullable().default(null),
    /** Who may pause a mandatory recording and for how long (issue 16 item 11); absent keeps what is stored. */
    pause: pausePolicySchema.optional(),
  })
  .strict();

