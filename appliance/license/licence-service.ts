// The appliance side of licensing: where the licence file and the
// installation id live, which keys are trusted, where the time already seen
// is kept (the store's settings), and installing a new licence only when it
// verifies. licensing/current-licence.ts does the judging over these;
// licencePort() hands it to a service as deps (services never import this).
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildActivationRequest,
  collectFingerprint,
  currentLicence as judgeCurrent,
  evaluateLicenceText,
  formatActivationRequest,
  VENDOR_KEYS,
  type FingerprintComponent,
  type LicenceEvaluation,
  type LicencePort,
  type LicenceSources,
  type VendorPublicKey,
} from '../../licensing';
import { publicKeyFromPem, vendorPublicKey } from '../../licensing/keys';
import { AppError } from '../../services/common/errors';
import { RELEASE_BUILD } from '../../services/common/build-info';
import { VERSION } from '../../services/common/version';
import type { LicenceSettings, SelftestForSizing } from '../../services/common/service';
import type { Config } from '../config/schema';
import { highWaterPort } from './high-water';
import { readRestoreMark } from './restore-mark';


export const licencePaths = (dataDir: string) => ({
  licence: path.join(dataDir, 'license', 'korobka.lic'),
  previous: path.join(dataDir, 'license', 'korobka.lic.previous'),
  installationId: path.join(dataDir, 'license', 'installation-id'),
});

export function installationId(dataDir: string): string {
  const file = licencePaths(dataDir).installationId;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const id = randomUUID();
  writeFileSync(file, id + '\n', { mode: 0o600, flag: 'wx' });
  return id;
}

export function trustedKeys(config: Readonly<Config>): VendorPublicKey[] {
  const files = config.license.developmentKeyFiles;
  if (files.length > 0 && RELEASE_BUILD) {
    throw new AppError(500, 'development-keys-in-release', 'license.developmentKeyFiles is set, but a release build trusts only its built-in vendor keys');
  }
  const dev = files.map((f) => {
    const key = publicKeyFromPem(readFileSync(f, 'utf8'));
    if (key instanceof Error) throw new AppError(500, 'bad-development-key', `${f}: ${key.message}`);
    return vendorPublicKey(key, `development key from ${f}`);
  });
  return [...VENDOR_KEYS, ...dev];
}

export interface LicenceContext {
  config: Readonly<Config>;
  store: LicenceSettings;
  now?: Date;
  /** Collected when not given (about 0.1 s). */
  fingerprint?: readonly FingerprintComponent[];
}

/** The ports licensing/current-licence.ts judges over, wired to this box's files and store. */
export function licenceSources(ctx: LicenceContext): LicenceSources {
  const file = licencePaths(ctx.config.dataDir).licence;
  return {
    licenceText: () => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    trustedKeys: () => trustedKeys(ctx.config),
    fingerprint: async () => ctx.fingerprint ?? (await collectFingerprint()),
    highWater: highWaterPort(ctx.config.dataDir, ctx.store),
    restoreMark: () => readRestoreMark(ctx.config.dataDir),
  };
}

export async function evaluateText(ctx: LicenceContext, licenceText: string | undefined): Promise<LicenceEvaluation> {
  return evaluateLicenceText(licenceSources(ctx), licenceText, { now: ctx.now });
}

export async function currentLicence(ctx: LicenceContext): Promise<LicenceEvaluation> {
  return judgeCurrent(licenceSources(ctx), { now: ctx.now });
}

export const licenceRejected = (e: LicenceEvaluation) =>
  new AppError(400, 'licence-invalid', e.message, { reason: e.reason ?? e.state });

/** Verifies first; an invalid licence changes nothing. The old file is kept as .previous. */
export async function installLicence(ctx: LicenceContext, text: string): Promise<LicenceEvaluation> {
  if (text.length > 64 * 1024) throw new AppError(413, 'licence-too-large', 'a licence file is a few kilobytes; this is not one');
  const result = await evaluateText(ctx, text);
  if (result.state === 'invalid' || result.state === 'unlicensed') throw licenceRejected(result);
  const p = licencePaths(ctx.config.dataDir);
  mkdirSync(path.dirname(p.licence), { recursive: true, mode: 0o700 });
  if (existsSync(p.licence)) writeFileSync(p.previous, readFileSync(p.licence), { mode: 0o600 });
  const tmp = `${p.licence}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, p.licence);
  return result;
}

export async function activationRequest(config: Readonly<Config>, fingerprint?: readonly FingerprintComponent[], now = new Date(), selftest?: SelftestForSizing | null): Promise<string> {
  const sizing = selftest
    ? { ranAt: selftest.ranAt, mode: selftest.mode, profile: selftest.profile as 'eval' | 'S' | 'M' | 'L' | 'XL' | null, callsPerSecond: selftest.callsPerSecond, heldCalls: selftest.heldCalls, audioSecondsPerSecond: selftest.audioSecondsPerSecond, cpus: selftest.machine.cpus, memGiB: selftest.machine.memGiB }
    : undefined;
  return formatActivationRequest(
    buildActivationRequest({
      fingerprint: fingerprint ?? (await collectFingerprint()),
      installationId: installationId(config.dataDir),
      productVersion: VERSION,
      now,
      ...(sizing ? { sizing } : {}),
    }),
  );
}

/** What `korobka license show`, the API and the UI show (licensing/current-licence.ts). */
export { licenceSummary } from '../../licensing';

/**
 * The licence for a service's deps (ServiceDeps.licence): over the service's
 * own store connection, so the time already seen is kept in one place.
 */
export function licencePort(config: Readonly<Config>, store: LicenceSettings): LicencePort {
  const ctx = { config, store };
  return {
    current: (opts) => judgeCurrent(licenceSources(ctx), opts),
    install: (text, now) => installLicence({ ...ctx, ...(now ? { now } : {}) }, text),
    activationRequest: () => activationRequest(config, undefined, undefined, store.selftests?.latest()),
  };
}
