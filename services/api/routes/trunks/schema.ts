import { isIP } from 'node:net';
import { z } from 'zod';
import { canonicalNumber, destinationSchema } from '../../../call-flows';
import { transports, trunkKinds } from '../../../store';

const hostname = z
  .string()
  .max(253, 'at most 253 characters')
  .refine((v) => isIP(v) !== 0 || /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v), 'must be a host name or an IP address');

const address = z.string().refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address');

const fields = {
  name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  kind: z.enum(trunkKinds, { message: 'must be register or ip' }),
  host: hostname.nullable().optional(),
  port: z.number().int().min(1, 'must be 1–65535').max(65535, 'must be 1–65535').optional(),
  transport: z.enum(transports, { message: 'must be udp, tcp or tls' }).optional(),
  username: z.string().min(1, 'required').max(128, 'at most 128 characters').nullable().optional(),
  /** Write-only: never returned. */
  password: z.string().min(1, 'required').max(128, 'at most 128 characters').optional(),
  registerExpiry: z.number().int().min(60, 'at least 60 seconds').max(3600, 'at most 3600 seconds').optional(),
  addresses: z.array(address).max(32, 'at most 32 addresses').optional(),
  optionsInterval: z.number().int().refine((v) => v === 0 || (v >= 10 && v <= 300), '0 (off) or 10–300 seconds').optional(),
  channelLimit: z.number().int().min(0, '0 (no limit) or more').max(10000, 'at most 10000').optional(),
  outboundCallerId: z.union([z.literal(''), z.string().regex(/^\+?\d{3,15}$/, 'must be digits with an optional leading +')]).optional(),
  enabled: z.boolean().optional(),
};

export const createTrunkSchema = z.object({ ...fields, tenantId: z.number().int().positive().optional() });
export const updateTrunkSchema = z.object(fields).partial().refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export type TrunkInput = z.infer<typeof updateTrunkSchema>;

const didNumber = z
  .string()
  .regex(/^\+?\d{3,15}$/, 'must be 3–15 digits with an optional leading +')
  .transform((v) => {
    // Stored canonical: 8 495 … and 7 495 … are +7 495 … (services/call-flows numbers.ts).
    const c = canonicalNumber(v);
    return c.ok ? c.number : v;
  });

export const createDidSchema = z.object({
  number: didNumber,
  trunkId: z.number().int().positive().nullable().optional(),
  /** null: the tenant's main destination. */
  destination: destinationSchema.nullable(),
  tenantId: z.number().int().positive().optional(),
});

export const updateDidSchema = z
  .object({ trunkId: z.number().int().positive().nullable().optional(), destination: destinationSchema.nullable().optional() })
  .refine((v) => v.trunkId !== undefined || v.destination !== undefined, 'give trunkId or destination');
