import { z } from 'zod';

// A SIP domain is a DNS name (RFC 3261 §25.1 hostname); IPs are not tenants' domains.
export const sipDomain = z
  .string()
  .min(3, 'must be a domain name like pbx.example.ru')
  .max(253, 'must be at most 253 characters')
  .regex(/^(?=.*[a-z])([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i, 'must be a domain name like pbx.example.ru');

export const username = z
  .string()
  .min(3, 'must be 3–64 characters')
  .max(64, 'must be 3–64 characters')
  .regex(/^[a-z0-9._@-]+$/i, 'may contain letters, digits and . _ @ - only');

export const createTenantSchema = z.object({
  name: z.string().trim().min(1, 'required').max(200, 'at most 200 characters'),
  sipDomain,
  admin: z.object({
    username,
    displayName: z.string().max(200, 'at most 200 characters').optional(),
  }),
});

export const updateTenantSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(200, 'at most 200 characters').optional(),
    sipDomain: sipDomain.optional(),
  })
  .refine((v) => v.name !== undefined || v.sipDomain !== undefined, 'give name or sipDomain');
