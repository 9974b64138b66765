// The vendor side: turn an activation request and the sales order (profile,
// customer, dates) into a signed licence. Pure apart from the key it is
// given; the vendor CLI reads files and passes everything in.
import { defaultK, fingerprintWeakness } from './fingerprint';
import { signLicence } from './licence';
import { describeIssues, LICENCE_FORMAT, licenceSchema, PRODUCT, type Licence } from './licence-schema';
import { keyPairFromSeed } from './keys';
import { PROFILES, type Feature, type LicensedProfileName, type Limits } from './profiles';
import type { ActivationRequest } from './request';

// The box's clock may lag the vendor's by hours (time zones, no NTP on an
// isolated network); a licence is valid from a day before it is issued.
const NOT_BEFORE_SLACK_MS = 86_400_000;

/** What binds a licence to a box: from an activation request, or from the licence being renewed. */
export type IssueTarget = Pick<ActivationRequest, 'product' | 'installationId' | 'fingerprint'>;

export interface IssueInput {
  request: IssueTarget;
  profile: LicensedProfileName;
  customer: string;
  /** Last valid day (YYYY-MM-DD, valid through its end, UTC) or an ISO time. */
  expires: string;
  maintenanceUntil?: string;
  k?: number;
  licenceId: string;
  /** Replace the profile's limits (required in full for `custom`). */
  limits?: Partial<Omit<Limits, 'features'>> & { features?: readonly Feature[] };
  seed: Buffer;
  now: Date;
}

export type IssueResult = { ok: true; licence: Licence; text: string } | { ok: false; problems: string[] };

/** 2027-12-31 → 2027-12-31T23:59:59Z; an ISO time is kept; anything else is undefined. */
export function parseDateArg(s: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const t = Date.parse(`${s}T23:59:59Z`);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s) return undefined; // 2027-02-30
    return `${s}T23:59:59Z`;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(s) && !Number.isNaN(Date.parse(s))) return new Date(Date.parse(s)).toISOString();
  return undefined;
}

function limitsFor(input: IssueInput, problems: string[]): Limits | undefined {
  const o = input.limits ?? {};
  if (input.profile === 'custom') {
    const missing = (['concurrentCalls', 'extensions', 'tenants'] as const).filter((f) => o[f] === undefined);
    if (missing.length > 0) {
      problems.push(`profile custom needs ${missing.join(', ')}`);
      return undefined;
    }
  }
  const base = input.profile === 'custom' ? PROFILES.XL.limits : PROFILES[input.profile].limits;
  return {
    concurrentCalls: o.concurrentCalls ?? base.concurrentCalls,
    extensions: o.extensions ?? base.extensions,
    tenants: o.tenants ?? base.tenants,
    features: o.features ?? base.features,
  };
}

/**
 * The target and order of a renewal: same machine, installation, customer,
 * profile, limits and k as the licence it replaces, unless the vendor
 * changes them. No new request is needed from the box.
 */
export function renewalOf(old: Licence): Pick<IssueInput, 'request' | 'customer' | 'profile' | 'k' | 'limits'> {
  return {
    request: { product: old.product, installationId: old.installationId, fingerprint: old.fingerprint.components },
    customer: old.customer,
    profile: old.profile,
    k: old.fingerprint.k,
    limits: old.limits,
  };
}

export function issueLicence(input: IssueInput): IssueResult {
  const problems: string[] = [];
  const { request, now } = input;
  if (request.product !== PRODUCT) problems.push(`request: product is "${request.product}", expected "${PRODUCT}"`);
  const weak = fingerprintWeakness(request.fingerprint);
  if (weak !== undefined) problems.push(`request: fingerprint too weak to bind a licence: ${weak}`);
  const n = request.fingerprint.length;
  const k = input.k ?? defaultK(n);
  if (!Number.isInteger(k) || k < 1 || k > n) problems.push(`k: expected a whole number from 1 to ${n} (the request has ${n} components), got ${k}`);
  const expires = parseDateArg(input.expires);
  if (expires === undefined) problems.push(`expires: expected a date YYYY-MM-DD, got "${input.expires}"`);
  else if (Date.parse(expires) <= now.getTime()) problems.push(`expires: ${input.expires} is in the past`);
  const maintenanceUntil = input.maintenanceUntil === undefined ? undefined : parseDateArg(input.maintenanceUntil);
  if (input.maintenanceUntil !== undefined && maintenanceUntil === undefined) {
    problems.push(`maintenance-until: expected a date YYYY-MM-DD, got "${input.maintenanceUntil}"`);
  }
  const limits = limitsFor(input, problems);
  if (problems.length > 0 || limits === undefined || expires === undefined) return { ok: false, problems };

  const candidate = {
    format: LICENCE_FORMAT,
    licenceId: input.licenceId,
    product: PRODUCT,
    customer: input.customer.trim(),
    keyId: keyPairFromSeed(input.seed).keyId,
    installationId: request.installationId,
    issued: now.toISOString(),
    notBefore: new Date(now.getTime() - NOT_BEFORE_SLACK_MS).toISOString(),
    expires,
    ...(maintenanceUntil === undefined ? {} : { maintenanceUntil }),
    profile: input.profile,
    limits,
    fingerprint: { k, components: request.fingerprint },
  };
  const checked = licenceSchema.safeParse(candidate);
  if (!checked.success) return { ok: false, problems: describeIssues(checked.error) };
  return { ok: true, licence: checked.data, text: signLicence(checked.data, input.seed) };
}
