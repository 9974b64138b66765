// The licence in force: the installed licence text judged against the
// trusted keys, this machine's fingerprint and a clock that never runs back
// past a time already seen. Where the text, the keys, the fingerprint and the
// time already seen come from is injected (ports), so licensing/ stays free of
// files and SQL: appliance/license wires them to <dataDir>/license and the
// store's settings; services receive the result through their deps.
import type { FingerprintComponent } from './fingerprint';
import type { VendorPublicKey } from './keys';
import { trustedNow } from './clock';
import { evaluateLicence, type LicenceEvaluation } from './verify';

/** The latest judged time (ISO 8601), kept where the box keeps its settings. */
export interface HighWaterPort {
  get(): string | undefined;
  set(iso: string): void;
}

export interface LicenceSources {
  /** The installed licence file's text, undefined when none is installed. */
  licenceText(): string | undefined;
  trustedKeys(): VendorPublicKey[];
  /** Collected when not given (about 0.1 s, and systeminformation's shell-outs stall the event loop). */
  fingerprint(): Promise<readonly FingerprintComponent[]>;
  highWater: HighWaterPort;
}

/** The time a licence is judged at: the clock, never earlier than a time already seen (raised as it moves on). */
export function judgeTime(highWater: HighWaterPort, clock: Date): Date {
  const seen = highWater.get();
  const t = trustedNow(clock, seen ? new Date(seen) : undefined);
  if (!seen || t.now.getTime() > new Date(seen).getTime()) highWater.set(t.now.toISOString());
  return t.now;
}

export interface JudgeOptions {
  now?: Date;
  fingerprint?: readonly FingerprintComponent[];
}

export async function evaluateLicenceText(
  src: LicenceSources,
  licenceText: string | undefined,
  opts: JudgeOptions = {},
): Promise<LicenceEvaluation> {
  return evaluateLicence({
    licenceText,
    publicKeys: src.trustedKeys(),
    fingerprint: opts.fingerprint ?? (await src.fingerprint()),
    now: judgeTime(src.highWater, opts.now ?? new Date()),
  });
}

export async function currentLicence(src: LicenceSources, opts: JudgeOptions = {}): Promise<LicenceEvaluation> {
  return evaluateLicenceText(src, src.licenceText(), opts);
}

/** What the API, the CLI and the UI show: no fingerprint hashes, no signature. */
export function licenceSummary(e: LicenceEvaluation) {
  return {
    state: e.state,
    reason: e.reason ?? null,
    message: e.message,
    alarm: e.alarm,
    profile: e.profile.name,
    limits: e.limits,
    daysLeft: e.daysLeft ?? null,
    graceEnds: e.graceEnds ?? null,
    licence: e.licence
      ? {
          id: e.licence.licenceId,
          customer: e.licence.customer,
          issued: e.licence.issued,
          notBefore: e.licence.notBefore,
          expires: e.licence.expires,
          maintenanceUntil: e.licence.maintenanceUntil ?? null,
        }
      : null,
    fingerprint: e.fingerprint
      ? { matched: e.fingerprint.matched, of: e.fingerprint.total, needed: e.fingerprint.required, missing: e.fingerprint.missing }
      : null,
  };
}

export type LicenceSummary = ReturnType<typeof licenceSummary>;

/**
 * The licence as a service sees it: what it is now, installing a new one
 * (verified first; an invalid one changes nothing), and the activation
 * request to send to the vendor. Built by the appliance over the service's
 * own store (appliance/license) and passed in its deps.
 */
export interface LicencePort {
  current(opts?: JudgeOptions): Promise<LicenceEvaluation>;
  install(licenceText: string, now?: Date): Promise<LicenceEvaluation>;
  activationRequest(): Promise<string>;
}
