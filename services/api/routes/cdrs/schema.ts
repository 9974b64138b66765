import { z } from 'zod';

const isoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (YYYY-MM-DD or ISO-8601)')
  .transform((v) => new Date(v).toISOString());

export const cdrQuerySchema = z.object({
  since: isoDate.optional(),
  until: isoDate.optional(),
  number: z.string().regex(/^\+?[0-9*#]{1,20}$/, 'digits, * or #, optional leading +').optional(),
  extension: z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits').optional(),
  direction: z.enum(['internal', 'inbound', 'outbound'], { message: 'must be internal, inbound or outbound' }).optional(),
  disposition: z.enum(['answered', 'busy', 'no-answer', 'failed', 'cancelled', 'refused-by-licence'], { message: 'must be answered, busy, no-answer, failed, cancelled or refused-by-licence' }).optional(),
  forwarded: z.enum(['1', '0'], { message: 'must be 1 or 0' }).transform((v) => v === '1').optional(),
  transferred: z.enum(['1', '0'], { message: 'must be 1 or 0' }).transform((v) => v === '1').optional(),
  limit: z.coerce.number().int().min(1, 'at least 1').max(500, 'at most 500').optional(),
  offset: z.coerce.number().int().min(0, 'at least 0').optional(),
});
