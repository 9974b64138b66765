// Bodies of /api/dialplan. The routes themselves are checked by
// call-control's OutboundRouter (every problem at once, with its field path)
// and the numbering plan by its numberingConfigSchema, so nothing here
// duplicates their rules: only the envelope is described.
import { z } from 'zod';

export const routesBodySchema = z.object({
  routes: z.array(z.unknown()).max(200, 'at most 200 routes'),
  tenantId: z.number().int().positive().optional(),
});

export const dryRunSchema = z.object({
  number: z.string().min(1, 'required').max(64, 'at most 64 characters'),
  extension: z.string().regex(/^\d{2,6}$/, 'must be 2–6 digits').optional(),
  tenantId: z.number().int().positive().optional(),
});
export type DryRunInput = z.infer<typeof dryRunSchema>;
