// Which digest algorithms a tenant's (or one extension's) challenges offer, and
// in what order (RFC 8760). Many phones, gateways and sipp answer only the
// first WWW-/Proxy-Authenticate row and know only MD5, and some (baresip 1.0)
// fail on any SHA-256 row, so the default offers MD5 first and SHA-256 second;
// a tenant of modern phones may put SHA-256 first or offer it alone, and one
// old phone may be set back to MD5 only. Kept in the store's settings (tenant
// scoped), read by call-control for every challenge and written by the api.
export const DIGEST_POLICIES = {
  md5: ['MD5'],
  'md5-sha256': ['MD5', 'SHA-256'],
  'sha256-md5': ['SHA-256', 'MD5'],
  sha256: ['SHA-256'],
} as const satisfies Record<string, readonly ('MD5' | 'SHA-256')[]>;

export type DigestPolicy = keyof typeof DIGEST_POLICIES;
export const DIGEST_POLICY_NAMES = Object.keys(DIGEST_POLICIES) as DigestPolicy[];
export const DEFAULT_DIGEST_POLICY: DigestPolicy = 'md5-sha256';

export const tenantDigestKey = 'sip.digestPolicy';
export const extensionDigestKey = (extensionId: number) => `sip.digestPolicy.extension.${extensionId}`;

export const isDigestPolicy = (v: unknown): v is DigestPolicy => typeof v === 'string' && Object.hasOwn(DIGEST_POLICIES, v);

interface Settings {
  get<T>(key: string, tenantId?: number | null): T | undefined;
}

/** The extension's own policy, else the tenant's, else the default. */
export function digestPolicyFor(settings: Settings, tenantId: number, extensionId?: number): DigestPolicy {
  const own = extensionId === undefined ? undefined : settings.get<unknown>(extensionDigestKey(extensionId), tenantId);
  if (isDigestPolicy(own)) return own;
  const tenant = settings.get<unknown>(tenantDigestKey, tenantId);
  return isDigestPolicy(tenant) ? tenant : DEFAULT_DIGEST_POLICY;
}
