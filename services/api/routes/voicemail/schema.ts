import { z } from 'zod';

const promptId = z.number().int().positive('must be a prompt id').nullable().default(null);

export const boxInputSchema = z.object({
  number: z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits'),
  name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  /** The owner's extension (its number); omitted or null: a shared box. */
  extension: z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits').nullable().default(null),
  greetings: z.object({ unavailable: promptId, busy: promptId, name: promptId }).default({ unavailable: null, busy: null, name: null }),
  maxMessageSeconds: z.number().int().min(5, 'at least 5 seconds').max(600, 'at most 600 seconds').default(180),
  maxMessages: z.number().int().min(1, 'at least 1').max(1000, 'at most 1000').default(50),
  email: z.string().trim().email('must be an e-mail address').max(254, 'at most 254 characters').nullable().default(null),
  /** Optional at creation: a box without a PIN cannot be listened to by phone. */
  pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits').optional(),
  tenantId: z.number().int().positive().optional(),
});
export type BoxInput = z.infer<typeof boxInputSchema>;

export const pinSchema = z.object({ pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits') });
