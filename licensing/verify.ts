// The appliance's licence decision: licence text, vendor public keys, this
// machine's fingerprint and the time in; a state, a stable reason and the
// effective limits out. Never throws and never grants more than the licence:
// anything wrong falls back to eval limits with the reason.
import { matchFingerprint, type FingerprintComponent, type FingerprintMatch } from './fingerprint';
import { digestHex, parseLicenceFile, signedBytes } from './licence';
import { describeIssues, licenceSchema, PRODUCT, type Licence } from './licence-schema';
import { ed25519Verify, type VendorPublicKey } from './keys';
import { deriveLimits, profileCovering, PROFILES, type Limits, type Profile } from './profiles';
import { formatDay } from './format';

export const EXPIRY_WARNING_DAYS = 30;
export const GRACE_DAYS = 14;
/** How long a licence keeps its limits on other hardware after `korobka restore` moved the box there. */
export const RESTORE_GRACE_DAYS = 14;
const DAY_MS = 86_400_000;

export type LicenceState = 'valid' | 'expiring-soon' | 'expired-grace' | 'restored-grace' | 'invalid' | 'unlicensed';
export const INVALID_REASONS = [
  'malformed',
  'unknown-key',
  'tampered',
  'bad-signature',
  'wrong-product',
  'not-yet-valid',
  'expired',
  'wrong-machine',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export interface LicenceEvaluation {
  state: LicenceState;
  /** Set when state is `invalid`. */
  reason?: InvalidReason;
  /** One plain sentence for the UI, the log and `korobka doctor`. */
  message: string;
  /** none: all fine; warning: expiring soon or unlicensed; critical: grace or invalid. */
  alarm: 'none' | 'warning' | 'critical';
  /** The limits to enforce now. */
  limits: Limits;
  profile: Profile;
  /** The document, once its signature verified (also for expired or wrong-machine, so the UI can show what it was). */
  licence?: Licence;
  /** Whole days until expiry (negative after it). */
  daysLeft?: number;
  /** When the grace period ends and eval limits apply. */
  graceEnds?: string;
  fingerprint?: FingerprintMatch;
  /** Set when the licence has maintenanceUntil and the caller passed releaseDate. */
  maintenance?: { until: string; coversRelease: boolean };
  /** Something wrong with the clock or the stored licence clock (current-licence.ts). */
  clock?: ClockReport;
}

export interface ClockReport {
  warning: 'clock-behind' | 'clock-ahead' | 'mark-tampered';
  message: string;
}

export interface EvaluateLicenceInput {
  /** The licence file's text; undefined or blank when none is installed. */
  licenceText: string | undefined | null;
  publicKeys: readonly VendorPublicKey[];
  fingerprint: readonly FingerprintComponent[];
  now: Date;
  /** Release date of the running Korobka build; compared with maintenanceUntil. */
  releaseDate?: Date;
  /** Set when `korobka restore` put this licence on a machine it was not issued for (appliance/license/restore-mark.ts). */
  restored?: RestoreMark;
}

/** A restore onto other hardware: when, and which licence it carried. */
export interface RestoreMark {
  at: string;
  licenceId: string;
}

function evalFallback(state: 'invalid' | 'unlicensed', message: string, reason?: InvalidReason, licence?: Licence, fingerprint?: FingerprintMatch): LicenceEvaluation {
  const result: LicenceEvaluation = {
    state,
    message: `${message} Running with eval limits (${PROFILES.eval.limits.concurrentCalls} concurrent calls, ${PROFILES.eval.limits.extensions} extensions).`,
    alarm: state === 'invalid' ? 'critical' : 'warning',
    limits: PROFILES.eval.limits,
    profile: PROFILES.eval,
  };
  if (reason !== undefined) result.reason = reason;
  if (licence !== undefined) result.licence = licence;
  if (fingerprint !== undefined) result.fingerprint = fingerprint;
  return result;
}

/** The profile a verified licence gives: its own limits, the hardware of the standard profile it names. */
export function profileOfLicence(l: Licence): Profile {
  const base = l.profile === 'custom' ? profileCovering(l.limits) : PROFILES[l.profile];
  return { name: l.profile, limits: l.limits, suggested: base.suggested, derived: deriveLimits(l.limits) };
}

export type Verified = { ok: true; licence: Licence } | { ok: false; result: LicenceEvaluation };

/**
 * Parsing, key lookup, signature and schema, in the order that gives support
 * the most precise reason. Says nothing about dates, product or machine
 * (`korobka-license show` uses it alone).
 */
export function verifyLicenceSignature(text: string, publicKeys: readonly VendorPublicKey[]): Verified {
  const fail = (reason: InvalidReason, message: string): Verified => ({ ok: false, result: evalFallback('invalid', message, reason) });
  const parsed = parseLicenceFile(text);
  if (!parsed.ok) return fail('malformed', `The licence file is malformed: ${parsed.message}.`);
  const { document, digest, signature } = parsed.file;
  const keyId = typeof document === 'object' && document !== null ? (document as Record<string, unknown>).keyId : undefined;
  if (typeof keyId !== 'string') return fail('malformed', 'The licence file is malformed: keyId: expected a string.');
  const key = publicKeys.find((k) => k.keyId === keyId);
  if (key === undefined) {
    const known = publicKeys.length === 0 ? 'this build embeds no vendor keys' : `this build knows ${publicKeys.map((k) => k.keyId).join(', ')}`;
    return fail('unknown-key', `The licence is signed with vendor key ${keyId}, which this build does not know (${known}).`);
  }
  const bytes = signedBytes(document);
  if (!ed25519Verify(bytes, signature, Buffer.from(key.publicKey, 'base64'))) {
    // The signature alone decides; the digest line only tells support which half was changed.
    if (digest !== undefined && digest !== digestHex(bytes)) {
      return fail('tampered', 'The licence document was changed after it was signed (its digest no longer matches).');
    }
    return fail('bad-signature', `The licence signature does not verify with vendor key ${keyId}.`);
  }
  const checked = licenceSchema.safeParse(document);
  if (!checked.success) {
    return fail('malformed', `The licence is signed but not understood by this version (${describeIssues(checked.error).join('; ')}); it may need a newer Korobka.`);
  }
  return { ok: true, licence: checked.data };
}

function ranged(l: Licence, now: Date, fp: FingerprintMatch): LicenceEvaluation {
  const expires = Date.parse(l.expires);
  const graceEnds = new Date(expires + GRACE_DAYS * DAY_MS);
  const daysLeft = Math.ceil((expires - now.getTime()) / DAY_MS);
  const base = { licence: l, limits: l.limits, profile: profileOfLicence(l), daysLeft, graceEnds: graceEnds.toISOString(), fingerprint: fp };
  const name = `Licence ${l.licenceId} for ${l.customer}`;
  if (now.getTime() > expires) {
    const graceDays = Math.ceil((graceEnds.getTime() - now.getTime()) / DAY_MS);
    return {
      ...base,
      state: 'expired-grace',
      alarm: 'critical',
      message: `${name} expired on ${formatDay(l.expires)}; calls keep working until ${formatDay(graceEnds.toISOString())} (${graceDays} day(s) left), then eval limits apply. Install a renewed licence.`,
    };
  }
  if (now.getTime() >= expires - EXPIRY_WARNING_DAYS * DAY_MS) {
    return { ...base, state: 'expiring-soon', alarm: 'warning', message: `${name} expires on ${formatDay(l.expires)} in ${daysLeft} day(s); request a renewal.` };
  }
  return { ...base, state: 'valid', alarm: 'none', message: `${name} is valid until ${formatDay(l.expires)} (${daysLeft} days).` };
}

/** The licence decision. Pure: the caller reads the file, collects the fingerprint and passes the clock. */
export function evaluateLicence(input: EvaluateLicenceInput): LicenceEvaluation {
  const { licenceText, publicKeys, fingerprint, now } = input;
  if (licenceText === undefined || licenceText === null || licenceText.trim() === '') {
    return evalFallback('unlicensed', 'No licence is installed.');
  }
  const verified = verifyLicenceSignature(licenceText, publicKeys);
  if (!verified.ok) return verified.result;
  const l = verified.licence;
  const invalid = (reason: InvalidReason, message: string, fp?: FingerprintMatch) => evalFallback('invalid', message, reason, l, fp);
  if (l.product !== PRODUCT) return invalid('wrong-product', `Licence ${l.licenceId} is for the product "${l.product}", not "${PRODUCT}".`);
  if (now.getTime() < Date.parse(l.notBefore)) {
    return invalid('not-yet-valid', `Licence ${l.licenceId} is valid only from ${l.notBefore}; check the system clock.`);
  }
  const graceEnds = Date.parse(l.expires) + GRACE_DAYS * DAY_MS;
  if (now.getTime() > graceEnds) {
    return invalid('expired', `Licence ${l.licenceId} expired on ${formatDay(l.expires)} and its ${GRACE_DAYS}-day grace period is over.`);
  }
  const fp = matchFingerprint(l.fingerprint.components, fingerprint, l.fingerprint.k);
  if (!fp.ok) {
    const why = fp.matched >= fp.required ? 'none of the matches identifies the machine itself' : `${fp.matched} of ${fp.total} hardware components match, ${fp.required} required`;
    const moved = restoredGrace(l, now, fp, why, input.restored);
    if (moved) return withMaintenance(moved, l, input.releaseDate);
    return invalid('wrong-machine', `Licence ${l.licenceId} was issued for another machine (${why}; missing: ${fp.missing.join(', ') || 'none'}).`, fp);
  }
  return withMaintenance(ranged(l, now, fp), l, input.releaseDate);
}

/**
 * Issue 18: a box restored onto new hardware (a dead server replaced) keeps
 * its licensed limits for RESTORE_GRACE_DAYS from the restore, so calls go on
 * while the vendor re-issues the licence for the new fingerprint; then eval
 * limits as for any licence of another machine. Only for the licence the
 * restore carried, and never past the licence's own grace after expiry.
 */
function restoredGrace(l: Licence, now: Date, fp: FingerprintMatch, why: string, mark: RestoreMark | undefined): LicenceEvaluation | null {
  if (!mark || mark.licenceId !== l.licenceId) return null;
  const at = Date.parse(mark.at);
  if (Number.isNaN(at) || at > now.getTime() + DAY_MS) return null;
  const ends = Math.min(at + RESTORE_GRACE_DAYS * DAY_MS, Date.parse(l.expires) + GRACE_DAYS * DAY_MS);
  if (now.getTime() > ends) return null;
  const left = Math.ceil((ends - now.getTime()) / DAY_MS);
  return {
    state: 'restored-grace',
    alarm: 'critical',
    limits: l.limits,
    profile: profileOfLicence(l),
    licence: l,
    daysLeft: Math.ceil((Date.parse(l.expires) - now.getTime()) / DAY_MS),
    graceEnds: new Date(ends).toISOString(),
    fingerprint: fp,
    message: `Licence ${l.licenceId} was issued for another machine (${why}); Korobka was restored onto this one on ${formatDay(mark.at)}, so calls keep the licensed limits until ${formatDay(new Date(ends).toISOString())} (${left} day(s) left), then eval limits apply. Send an activation request (\`korobka license request\`) to your vendor for a licence for this machine.`,
  };
}

/**
 * A build released after the maintenance contract ended still runs (the
 * customer paid for the licence period), but the admin is told, since the
 * update was not covered.
 */
function withMaintenance(result: LicenceEvaluation, l: Licence, releaseDate: Date | undefined): LicenceEvaluation {
  if (l.maintenanceUntil === undefined || releaseDate === undefined) return result;
  const coversRelease = releaseDate.getTime() <= Date.parse(l.maintenanceUntil);
  const out: LicenceEvaluation = { ...result, maintenance: { until: l.maintenanceUntil, coversRelease } };
  if (!coversRelease) {
    out.message = `${result.message} This Korobka version was released after maintenance ended on ${formatDay(l.maintenanceUntil)}.`;
    if (out.alarm === 'none') out.alarm = 'warning';
  }
  return out;
}
