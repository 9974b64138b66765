// The licence in force: the installed licence text judged against the
// trusted keys, this machine's fingerprint and a clock that never runs back
// past a time already seen. Where the text, the keys, the fingerprint and the
// time already seen come from is injected (ports), so licensing/ stays free of
// files and SQL: appliance/license wires them to <dataDir>/license and the
// store's settings; services receive the result through their deps.
import type { FingerprintComponent } from './fingerprint';
import type { VendorPublicKey } from './keys';
import { advanceMark, trustedNow, type Boot, type HighWaterMark } from './clock';
import { evaluateLicence, type ClockReport, type LicenceEvaluation, type RestoreMark } from './verify';

/** The latest judged time, kept where the box keeps its settings (and a second copy beside it). */
export interface HighWaterPort {
  get(): HighWaterMark | undefined;
  set(mark: HighWaterMark): void;
  /** This boot of the machine, for bounding how fast the mark may move. */
  boot(): Boot;
  /** True when a stored copy of the mark failed its integrity check (edited by hand). */
  tampered?(): boolean;
}

export interface LicenceSources {
  /** The installed licence file's text, undefined when none is installed. */
  licenceText(): string | undefined;
  trustedKeys(): VendorPublicKey[];
  /** Collected when not given (about 0.1 s, and systeminformation's shell-outs stall the event loop). */
  fingerprint(): Promise<readonly FingerprintComponent[]>;
  highWater: HighWaterPort;
  /** The mark `korobka restore` left when it put the licence on a machine it was not issued for. */
  restoreMark?(): RestoreMark | undefined;
}

const days = (ms: number) => Math.round(ms / 86_400_000);

/**
 * The time a licence is judged at: the clock, never earlier than a time
 * already seen; the mark moves on (bounded, clock.ts), and what looks wrong
 * with the clock or the stored mark is reported.
 */
export function judgeTime(highWater: HighWaterPort, clock: Date): { now: Date; clock?: ClockReport } {
  const tampered = highWater.tampered?.() ?? false;
  const seen = highWater.get();
  const t = trustedNow(clock, seen ? new Date(seen.at) : undefined);
  const step = advanceMark(seen, clock, highWater.boot());
  if (step.next) highWater.set(step.next);
  if (tampered) return { now: t.now, clock: { warning: 'mark-tampered', message: 'The stored record of the licence clock was edited outside Korobka; the unaltered copy is used.' } };
  if (t.rolledBack) return { now: t.now, clock: { warning: 'clock-behind', message: `The system clock is ${days(new Date(seen!.at).getTime() - clock.getTime())} day(s) behind a time already seen; the licence is judged at that time. Check the clock and NTP.` } };
  if (step.aheadMs > 0) return { now: t.now, clock: { warning: 'clock-ahead', message: `The system clock is ${days(step.aheadMs)} day(s) ahead of the time this box has seen pass; if it is wrong, correct it: the licence is judged by it meanwhile, but the jump is not remembered.` } };
  return { now: t.now };
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
  const judged = judgeTime(src.highWater, opts.now ?? new Date());
  const e = evaluateLicence({
    licenceText,
    publicKeys: src.trustedKeys(),
    fingerprint: opts.fingerprint ?? (await src.fingerprint()),
    now: judged.now,
    restored: src.restoreMark?.(),
  });
  if (!judged.clock) return e;
  return { ...e, clock: judged.clock, alarm: e.alarm === 'none' ? 'warning' : e.alarm, message: `${e.message} ${judged.clock.message}` };
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
    clock: e.clock ?? null,
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
