// An IVR menu: a prompt, keys 0–9 * # each leading somewhere, optional
// dial-by-extension, and what happens when the caller presses nothing or a
// wrong key (retries, then the final destination).
import { z } from 'zod';
import { destinationSchema, FLOW_RULE } from './destination';

export const ivrDigits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type IvrDigit = (typeof ivrDigits)[number];

const promptId = z.number().int().positive('must be a prompt id');

export const ivrOptionSchema = z.object({
  digit: z.enum(ivrDigits, { message: 'must be one of 0–9, * or #' }),
  destination: destinationSchema,
});

export const ivrMenuSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
    prompt: promptId.nullable().default(null),
    options: z.array(ivrOptionSchema).max(12, 'at most 12 options'),
    /** Any 2–6 digits dialled are taken as an extension of the tenant. */
    dialByExtension: z.boolean().default(false),
    /** Seconds to wait for the first key after the prompt. */
    timeout: z.number().int().min(1, 'must be 1–60 seconds').max(60, 'must be 1–60 seconds').default(5),
    /** Times the prompt is replayed after a timeout or a wrong key before `final`. */
    retries: z.number().int().min(0, 'must be 0–5').max(5, 'must be 0–5').default(2),
    invalidPrompt: promptId.nullable().default(null),
    timeoutPrompt: promptId.nullable().default(null),
    final: destinationSchema.default({ type: 'hangup', status: 480, reason: 'No Input' }),
  })
  .superRefine((m, ctx) => {
    if (m.options.length === 0 && !m.dialByExtension)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a menu needs at least one option (or dial-by-extension)', params: FLOW_RULE });
    const seen = new Map<string, number>();
    m.options.forEach((o, i) => {
      const first = seen.get(o.digit);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['options', i, 'digit'], message: `key ${o.digit} is already options[${first}]`, params: FLOW_RULE });
      else seen.set(o.digit, i);
    });
  });

export type IvrMenuConfig = z.infer<typeof ivrMenuSchema>;
export type IvrMenuInput = z.input<typeof ivrMenuSchema>;
