import { z } from 'zod';
import { promptLanguages } from '../../../store';
import { defaultPromptLimits } from '../../../prompts';

const name = z.string().trim().min(1, 'required').max(64, 'at most 64 characters');
const language = z.enum(promptLanguages, { message: 'must be ru or en' });
const tenantId = z.number().int().positive().optional();

/** The file travels base64 in JSON, as branding images do; the body limit allows the largest file (json-body.ts). */
export const uploadPromptSchema = z.object({
  name,
  language,
  kind: z.enum(['upload', 'moh'], { message: 'must be upload or moh' }).default('upload'),
  /** The browser's file name, kept only for the audit trail: the bytes decide the type. */
  filename: z.string().max(255, 'at most 255 characters').optional(),
  data: z.string().min(1, 'required').regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
  tenantId,
});

export const ttsPromptSchema = z.object({
  name,
  language,
  text: z
    .string()
    .trim()
    .min(1, 'required')
    .max(defaultPromptLimits.ttsMaxChars, `at most ${defaultPromptLimits.ttsMaxChars} characters`)
    // Letters must be there to be spoken; control characters never are.
    .refine((v) => /\p{L}/u.test(v), 'must contain words to speak')
    .refine((v) => !/\p{Cc}/u.test(v.replace(/[\n\t\r]/g, '')), 'must not contain control characters'),
  tenantId,
});

export const renamePromptSchema = z.object({ name });
