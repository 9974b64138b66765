// korobka-license issue: sign a licence for an activation request.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueLicence, renewalOf, type IssueInput } from '../issue';
import { keyPairFromSeed, privateKeyFromPem, vendorPublicKey } from '../keys';
import { verifyLicenceSignature } from '../verify';
import { VENDOR_KEYS } from '../vendor-keys';
import { FEATURES, isFeature, type Feature, type LicensedProfileName } from '../profiles';
import { parseActivationRequest } from '../request';
import { CliError, parseVerbArgs, required, usageError, type Io } from './cli-error';
import { PRIVATE_KEY_FILE } from './keygen';
import { readPassphrase } from './passphrase';

export const ISSUE_HELP = `Usage: korobka-license issue --request FILE --profile S|M|L|XL|custom --customer NAME
                             --expires YYYY-MM-DD [options]
       korobka-license issue --renew OLD.lic --expires YYYY-MM-DD [options]

Signs a licence for the machine that wrote the activation request FILE
(\`korobka license request\` on the customer's box), or renews a licence:
--renew keeps its machine, installation, customer, profile, limits and k
unless options change them, so the box need not send a new request.

  --request FILE            activation request from the box
  --renew FILE              licence to renew (its signature must verify)
  --profile NAME            S, M, L, XL, or custom with --calls, --extensions, --tenants
  --customer NAME           customer name as it should appear in the licence
  --expires DATE            last valid day, UTC; 14 days of grace follow
  --maintenance-until DATE  end of the maintenance contract (optional)
  --key DIR                 directory with ${PRIVATE_KEY_FILE} (default ./vendor-key)
  --passphrase-file FILE    passphrase of an encrypted private key (first line)
  --k N                     hardware components that must still match (default: half, at least 2)
  --calls N, --extensions N, --tenants N
                            override the profile's limits
  --features LIST           comma-separated, from: ${FEATURES.join(', ')}
  --licence-id ID           default KB-<date>-<random>
  --out FILE                write the licence here (default: standard output); never overwrites`;

const OPTIONS = {
  request: { type: 'string' },
  renew: { type: 'string' },
  profile: { type: 'string' },
  customer: { type: 'string' },
  expires: { type: 'string' },
  'maintenance-until': { type: 'string' },
  key: { type: 'string' },
  'passphrase-file': { type: 'string' },
  k: { type: 'string' },
  calls: { type: 'string' },
  extensions: { type: 'string' },
  tenants: { type: 'string' },
  features: { type: 'string' },
  'licence-id': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function intOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${option}: expected a whole number, got "${value}"`);
  return Number(value);
}

function profileOption(value: string): LicensedProfileName {
  const names = ['S', 'M', 'L', 'XL', 'custom'] as const;
  const found = names.find((n) => n.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw usageError(`--profile: expected one of ${names.join(', ')}, got "${value}"`);
  return found;
}

function featuresOption(value: string | undefined): Feature[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = list.filter((f) => !isFeature(f));
  if (unknown.length > 0) throw usageError(`--features: unknown ${unknown.join(', ')} (known: ${FEATURES.join(', ')})`);
  return [...new Set(list)] as Feature[];
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('cannot-read', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readSeed(dir: string, passphrase: string | undefined, io: Io): Buffer {
  const file = path.join(dir, PRIVATE_KEY_FILE);
  const seed = privateKeyFromPem(readText(file, 'private key'), passphrase);
  if (seed instanceof Error) throw new CliError('bad-key', `${file}: ${seed.message}`);
  if ((statSync(file).mode & 0o077) !== 0) io.err(`warning: ${file} is readable by other users; chmod 600 it`);
  return seed;
}

type Values = ReturnType<typeof parseVerbArgs<typeof OPTIONS>>['values'];
type Order = Pick<IssueInput, 'request' | 'customer' | 'profile' | 'k' | 'limits'>;

function limitOverrides(v: Values): NonNullable<IssueInput['limits']> {
  const all = {
    concurrentCalls: intOption(v.calls, '--calls'),
    extensions: intOption(v.extensions, '--extensions'),
    tenants: intOption(v.tenants, '--tenants'),
    features: featuresOption(v.features),
  };
  return Object.fromEntries(Object.entries(all).filter(([, x]) => x !== undefined));
}

/** A new licence: everything from the request and the command line. */
function newOrder(v: Values): Order {
  const requestFile = required(v.request, '--request');
  const profile = profileOption(required(v.profile, '--profile'));
  const customer = required(v.customer, '--customer');
  const limits = limitOverrides(v);
  const k = intOption(v.k, '--k');
  const parsed = parseActivationRequest(readText(requestFile, 'request'));
  if (!parsed.ok) throw new CliError(parsed.code, `${requestFile}: ${parsed.message}`);
  return { request: parsed.request, profile, customer, limits, ...(k === undefined ? {} : { k }) };
}

/** A renewal: the old licence's order, changed only where the command line says so. */
function renewalOrder(v: Values, seed: Buffer): Order {
  const file = v.renew ?? '';
  if (v.request !== undefined) throw usageError('--renew and --request exclude each other');
  const keys = [vendorPublicKey(keyPairFromSeed(seed).publicKey), ...VENDOR_KEYS];
  const verified = verifyLicenceSignature(readText(file, 'licence'), keys);
  if (!verified.ok) throw new CliError('cannot-renew', `cannot renew ${file}: ${verified.result.message.replace(/ Running with eval limits.*$/, '')}`);
  const old = renewalOf(verified.licence);
  const profile = v.profile === undefined ? old.profile : profileOption(v.profile);
  const overrides = limitOverrides(v);
  const k = intOption(v.k, '--k');
  return {
    request: old.request,
    customer: v.customer ?? old.customer,
    profile,
    // A changed profile starts from its own limits; the same profile keeps the old ones (custom limits, features).
    limits: profile === old.profile ? { ...old.limits, ...overrides } : overrides,
    k: k ?? old.k,
  };
}

export function issue(args: string[], io: Io, now: Date): number {
  const { values: v } = parseVerbArgs(args, OPTIONS, false);
  if (v.help) {
    io.out(ISSUE_HELP);
    return 0;
  }
  const order = v.renew === undefined ? newOrder(v) : undefined;
  const expires = required(v.expires, '--expires');
  const seed = readSeed(path.resolve(v.key ?? 'vendor-key'), readPassphrase(v['passphrase-file']), io);
  const { request, customer, profile, limits, k } = order ?? renewalOrder(v, seed);
  const licenceId = v['licence-id'] ?? `KB-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  const result = issueLicence({
    request,
    profile,
    customer,
    expires,
    ...(v['maintenance-until'] === undefined ? {} : { maintenanceUntil: v['maintenance-until'] }),
    ...(k === undefined ? {} : { k }),
    licenceId,
    ...(limits === undefined ? {} : { limits }),
    seed,
    now,
  });
  if (!result.ok) throw new CliError('cannot-issue', `cannot issue: ${result.problems.join('; ')}`);
  if (v.out === undefined) {
    io.out(result.text);
    return 0;
  }
  try {
    writeFileSync(v.out, result.text, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError('cannot-write', code === 'EEXIST' ? `${v.out} already exists; choose another --out` : `cannot write ${v.out}: ${code ?? (e as Error).message}`);
  }
  io.err(`Licence ${licenceId} for ${result.licence.customer} written to ${v.out}`);
  return 0;
}
