// korobka-license issue: sign a licence for an activation request.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueLicence } from '../issue';
import { privateKeyFromPem } from '../keys';
import { FEATURES, isFeature, type Feature, type LicensedProfileName } from '../profiles';
import { parseActivationRequest } from '../request';
import { CliError, parseVerbArgs, required, usageError, type Io } from './cli-error';
import { PRIVATE_KEY_FILE } from './keygen';

export const ISSUE_HELP = `Usage: korobka-license issue --request FILE --profile S|M|L|XL|custom --customer NAME
                             --expires YYYY-MM-DD [options]

Signs a licence for the machine that wrote the activation request FILE
(\`korobka license request\` on the customer's box).

  --request FILE            activation request from the box (required)
  --profile NAME            S, M, L, XL, or custom with --calls, --extensions, --tenants
  --customer NAME           customer name as it should appear in the licence
  --expires DATE            last valid day, UTC; 14 days of grace follow
  --maintenance-until DATE  end of the maintenance contract (optional)
  --key DIR                 directory with ${PRIVATE_KEY_FILE} (default ./vendor-key)
  --k N                     hardware components that must still match (default: half, at least 2)
  --calls N, --extensions N, --tenants N
                            override the profile's limits
  --features LIST           comma-separated, from: ${FEATURES.join(', ')}
  --licence-id ID           default KB-<date>-<random>
  --out FILE                write the licence here (default: standard output); never overwrites`;

const OPTIONS = {
  request: { type: 'string' },
  profile: { type: 'string' },
  customer: { type: 'string' },
  expires: { type: 'string' },
  'maintenance-until': { type: 'string' },
  key: { type: 'string' },
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

function readSeed(dir: string, io: Io): Buffer {
  const file = path.join(dir, PRIVATE_KEY_FILE);
  const seed = privateKeyFromPem(readText(file, 'private key'));
  if (seed instanceof Error) throw new CliError('bad-key', `${file}: ${seed.message}`);
  if ((statSync(file).mode & 0o077) !== 0) io.err(`warning: ${file} is readable by other users; chmod 600 it`);
  return seed;
}

export function issue(args: string[], io: Io, now: Date): number {
  const { values: v } = parseVerbArgs(args, OPTIONS, false);
  if (v.help) {
    io.out(ISSUE_HELP);
    return 0;
  }
  const requestFile = required(v.request, '--request');
  const profile = profileOption(required(v.profile, '--profile'));
  const customer = required(v.customer, '--customer');
  const expires = required(v.expires, '--expires');
  const limits = {
    concurrentCalls: intOption(v.calls, '--calls'),
    extensions: intOption(v.extensions, '--extensions'),
    tenants: intOption(v.tenants, '--tenants'),
    features: featuresOption(v.features),
  };
  const k = intOption(v.k, '--k');
  const parsed = parseActivationRequest(readText(requestFile, 'request'));
  if (!parsed.ok) throw new CliError(parsed.code, `${requestFile}: ${parsed.message}`);
  const seed = readSeed(path.resolve(v.key ?? 'vendor-key'), io);
  const licenceId = v['licence-id'] ?? `KB-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  const result = issueLicence({
    request: parsed.request,
    profile,
    customer,
    expires,
    ...(v['maintenance-until'] === undefined ? {} : { maintenanceUntil: v['maintenance-until'] }),
    ...(k === undefined ? {} : { k }),
    licenceId,
    limits: Object.fromEntries(Object.entries(limits).filter(([, x]) => x !== undefined)),
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
