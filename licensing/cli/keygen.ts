// korobka-license keygen --out DIR: a new Ed25519 licence-signing key pair.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encryptedPrivateKeyToPem, generateVendorKeyPair, privateKeyToPem, publicKeyToPem, vendorPublicKey } from '../keys';
import { CliError, parseVerbArgs, required, type Io } from './cli-error';
import { readPassphrase } from './passphrase';

export const PRIVATE_KEY_FILE = 'licence-signing.key';
export const PUBLIC_KEY_FILE = 'licence-signing.pub';

export const KEYGEN_HELP = `Usage: korobka-license keygen --out DIR [--passphrase-file FILE]

Creates a new Ed25519 licence-signing key pair in DIR:
  ${PRIVATE_KEY_FILE}   private key (PKCS#8 PEM, mode 0600): keep it on the
                          offline signing workstation, never copy it elsewhere
  ${PUBLIC_KEY_FILE}   public key (PEM)
and prints the entry to add to licensing/vendor-keys.ts.
With --passphrase-file the private key is encrypted (PBES2, AES-256) with
the first line of FILE (at least 12 characters); \`issue\` then needs the
same option. Refuses to overwrite an existing key.`;

export function keygen(args: string[], io: Io): number {
  const { values } = parseVerbArgs(args, { out: { type: 'string' }, 'passphrase-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    io.out(KEYGEN_HELP);
    return 0;
  }
  const dir = path.resolve(required(values.out, '--out'));
  const passphrase = readPassphrase(values['passphrase-file']);
  const keyFile = path.join(dir, PRIVATE_KEY_FILE);
  const pubFile = path.join(dir, PUBLIC_KEY_FILE);
  for (const f of [keyFile, pubFile]) if (existsSync(f)) throw new CliError('key-exists', `${f} already exists; choose another --out directory`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CliError('cannot-write', `cannot create ${dir}: ${(e as Error).message}`);
  }
  const pair = generateVendorKeyPair();
  // 'wx': never replace a key file that appeared meanwhile; chmod in case the umask left more bits.
  const pem = passphrase === undefined ? privateKeyToPem(pair.seed) : encryptedPrivateKeyToPem(pair.seed, passphrase);
  writeFileSync(keyFile, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600);
  writeFileSync(pubFile, publicKeyToPem(pair.publicKey), { mode: 0o644, flag: 'wx' });
  const entry = vendorPublicKey(pair.publicKey, `created ${new Date().toISOString().slice(0, 10)}`);
  io.out(`Key ${pair.keyId} written:\n  ${keyFile} (private${passphrase === undefined ? '' : ', encrypted'}, mode 0600)\n  ${pubFile}\n\nAdd to VENDOR_KEYS in licensing/vendor-keys.ts:\n  ${JSON.stringify(entry)},`);
  return 0;
}
