// korobka-license show FILE: what a licence or an activation request says.
import { readFileSync } from 'node:fs';
import { describeLicence, parseLicenceFile } from '../licence';
import { describeIssues, licenceSchema } from '../licence-schema';
import { publicKeyFromPem, vendorPublicKey, type VendorPublicKey } from '../keys';
import { parseActivationRequest, formatActivationRequest } from '../request';
import { verifyLicenceSignature } from '../verify';
import { VENDOR_KEYS } from '../vendor-keys';
import { CliError, parseVerbArgs, required, type Io } from './cli-error';

export const SHOW_HELP = `Usage: korobka-license show FILE [--pub FILE]

Prints a licence or an activation request in readable form. A licence is
described from its signed document (the summary at the top of the file is
not trusted) and its signature is checked against --pub, a public key file
from \`keygen\`, or the keys built into this tool. Exits 1 when the signature
does not verify. Dates and the machine are checked by the box itself
(\`korobka license status\`).`;

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('cannot-read', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function keysFrom(pubFile: string | undefined): readonly VendorPublicKey[] {
  if (pubFile === undefined) return VENDOR_KEYS;
  const pub = publicKeyFromPem(read(pubFile, 'public key'));
  if (pub instanceof Error) throw new CliError('bad-key', `${pubFile}: ${pub.message}`);
  return [vendorPublicKey(pub)];
}

function showLicence(text: string, file: string, keys: readonly VendorPublicKey[], io: Io): number {
  const parsed = parseLicenceFile(text);
  if (!parsed.ok) throw new CliError('malformed', `${file}: ${parsed.message}`);
  const doc = licenceSchema.safeParse(parsed.file.document);
  if (!doc.success) throw new CliError('malformed', `${file}: ${describeIssues(doc.error).join('; ')}`);
  io.out(describeLicence(doc.data));
  const verified = verifyLicenceSignature(text, keys);
  if (verified.ok) {
    io.out(`Signature:    valid (vendor key ${doc.data.keyId})`);
    return 0;
  }
  const reason = verified.result.reason ?? 'malformed';
  if (reason === 'unknown-key' && keys.length === 0) {
    io.out('Signature:    not checked (no public key: pass --pub FILE)');
    return 0;
  }
  io.out(`Signature:    INVALID (${reason})`);
  io.err(verified.result.message.replace(/ Running with eval limits.*$/, ''));
  return 1;
}

export function show(args: string[], io: Io): number {
  const { values, positionals } = parseVerbArgs(args, { pub: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.out(SHOW_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new CliError('usage', `expected one FILE, got ${positionals.length}`, 2);
  const file = required(positionals[0], 'FILE');
  const text = read(file, 'file');
  if (text.includes('-----BEGIN KOROBKA ACTIVATION REQUEST-----')) {
    const req = parseActivationRequest(text);
    if (!req.ok) throw new CliError(req.code, `${file}: ${req.message}`);
    io.out(formatActivationRequest(req.request).split('\n-----BEGIN')[0] ?? '');
    return 0;
  }
  return showLicence(text, file, keysFrom(values.pub), io);
}
