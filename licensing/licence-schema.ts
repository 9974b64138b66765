// The licence document's schema. Unknown fields are rejected: a newer
// vendor tool may add a restriction an older box would otherwise ignore, so
// such a licence must carry a new `format` and be refused as malformed here.
import { z } from 'zod';
import { COMPONENT_KINDS } from './fingerprint';
import { FEATURES } from './profiles';

export const PRODUCT = 'korobka';
export const LICENCE_FORMAT = 1;

const instant = z.iso.datetime({ message: 'expected an ISO 8601 UTC time such as 2027-12-31T23:59:59Z' });
const count = (max: number) => z.int('expected a whole number').min(1, 'expected at least 1').max(max, `expected at most ${max}`);

export const limitsSchema = z
  .object({
    concurrentCalls: count(100_000),
    extensions: count(1_000_000),
    tenants: count(10_000),
    features: z.array(z.enum(FEATURES)).max(FEATURES.length),
  })
  .strict();

export const componentSchema = z
  .object({
    kind: z.enum(COMPONENT_KINDS),
    hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
  })
  .strict();

export const licenceFingerprintSchema = z
  .object({
    k: count(64),
    components: z.array(componentSchema).min(1, 'expected at least one component').max(64),
  })
  .strict()
  .refine((f) => f.k <= f.components.length, { message: 'k exceeds the number of components', path: ['k'] });

export const licenceSchema = z
  .object({
    format: z.literal(LICENCE_FORMAT, `expected format ${LICENCE_FORMAT}`),
    licenceId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, 'expected 3–64 letters, digits, dots, dashes or underscores'),
    /** Checked after the signature so a signed licence for another product gets its own reason. */
    product: z.string().min(1).max(64),
    customer: z
      .string()
      .trim()
      .min(1, 'expected a customer name')
      .max(200)
      .regex(/^[^\p{Cc}]+$/u, 'expected one line without control characters'),
    keyId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'expected a key id such as kv1-0123456789abcdef'),
    installationId: z.string().min(1).max(100),
    issued: instant,
    notBefore: instant,
    expires: instant,
    maintenanceUntil: instant.optional(),
    profile: z.enum(['S', 'M', 'L', 'XL', 'custom']),
    limits: limitsSchema,
    fingerprint: licenceFingerprintSchema,
  })
  .strict()
  .refine((l) => Date.parse(l.notBefore) < Date.parse(l.expires), { message: 'must be after notBefore', path: ['expires'] });

export type Licence = z.infer<typeof licenceSchema>;
export type LicenceFingerprint = z.infer<typeof licenceFingerprintSchema>;

/** Zod issues as `field: message` lines, the way every Korobka validation error reads. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(document)'}: ${i.message}`);
}
