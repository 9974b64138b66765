import { z } from 'zod';

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f4e8c');

const link = z
  .string()
  .trim()
  .max(500, 'at most 500 characters')
  .refine((v) => /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(v) && URL.canParse(v), 'must be an https://, http:// or mailto: address');

/** PUT /api/branding: given fields replace, null clears (falls back to the level above). */
export const brandingPatchSchema = z
  .object({
    productName: z.string().trim().min(1, 'required').max(60, 'at most 60 characters').nullable().optional(),
    primaryColor: color.nullable().optional(),
    accentColor: color.nullable().optional(),
    loginText: z.string().max(500, 'at most 500 characters').nullable().optional(),
    supportUrl: z.union([z.literal(''), link]).nullable().optional(),
    footerLinks: z
      .array(z.object({ label: z.string().trim().min(1, 'required').max(60, 'at most 60 characters'), url: link }))
      .max(5, 'at most 5 links')
      .nullable()
      .optional(),
  })
  .strict();

export type BrandingPatch = z.infer<typeof brandingPatchSchema>;

export const imageUploadSchema = z.object({
  data: z.string().min(1, 'required').regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
});

export const domainQuery = z.object({ domain: z.string().max(253).optional() });
