// The key material in a backup: sealed under a key derived from the backup
// passphrase (scrypt), with AES-256-GCM, so the archive never holds the bare
// master key, the drachtio secret or a TLS private key. The manifest is
// authenticated with a second key from the same derivation, so a changed
// manifest is caught even where its own checksum was recomputed.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { BackupError } from './errors';

/** scrypt cost: about 0.1 s and 32 MB here; stored in the archive so it can be raised later. */
const KDF = { N: 32768, r: 8, p: 1 } as const;

export const kdfSchema = z.object({ name: z.literal('scrypt'), N: z.number().int().min(16384), r: z.number().int().min(1), p: z.number().int().min(1), salt: z.string().min(16) });
export type Kdf = z.infer<typeof kdfSchema>;

export interface SecretFile {
  /** Where it goes, relative to the data directory: keys/master.key, tls/server.key, korobka.json. */
  path: string;
  mode: number;
  data: Buffer;
}

const sealedSchema = z.object({ version: z.literal(1), nonce: z.string(), tag: z.string(), ciphertext: z.string() });
const bundleSchema = z.object({ files: z.array(z.object({ path: z.string(), mode: z.number().int(), data: z.string() })) });

function scrypt(passphrase: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(passphrase.normalize('NFC'), salt, 64, { ...o, maxmem: 256 * o.N! * o.r! }, (e, k) => (e ? reject(e) : resolve(k))));
}

export interface BackupKeys {
  kdf: Kdf;
  /** AES-256-GCM key for the secrets. */
  seal: Buffer;
  /** HMAC-SHA256 key for the manifest. */
  mac: Buffer;
}

export async function newBackupKeys(passphrase: string): Promise<BackupKeys> {
  const kdf: Kdf = { name: 'scrypt', ...KDF, salt: randomBytes(16).toString('base64') };
  return deriveBackupKeys(passphrase, kdf);
}

export async function deriveBackupKeys(passphrase: string, kdf: Kdf): Promise<BackupKeys> {
  const k = await scrypt(passphrase, Buffer.from(kdf.salt, 'base64'), { N: kdf.N, r: kdf.r, p: kdf.p });
  return { kdf, seal: k.subarray(0, 32), mac: k.subarray(32, 64) };
}

const AAD = Buffer.from('korobka backup secrets v1');

export function sealSecrets(keys: BackupKeys, files: SecretFile[]): Buffer {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keys.seal, nonce);
  c.setAAD(AAD);
  const plain = Buffer.from(JSON.stringify({ files: files.map((f) => ({ path: f.path, mode: f.mode, data: f.data.toString('base64') })) }));
  const ciphertext = Buffer.concat([c.update(plain), c.final()]);
  plain.fill(0);
  return Buffer.from(JSON.stringify({ version: 1, nonce: nonce.toString('base64'), tag: c.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') }));
}

export function openSecrets(keys: BackupKeys, sealed: Buffer): SecretFile[] {
  let s: z.infer<typeof sealedSchema>;
  try {
    s = sealedSchema.parse(JSON.parse(sealed.toString('utf8')));
  } catch {
    throw new BackupError('archive-damaged', 'the sealed key material in the archive is not readable');
  }
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', keys.seal, Buffer.from(s.nonce, 'base64'));
    d.setAAD(AAD);
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    plain = Buffer.concat([d.update(Buffer.from(s.ciphertext, 'base64')), d.final()]);
  } catch {
    // The manifest's MAC is checked first, so a wrong passphrase is reported there; this is a damaged seal.
    throw new BackupError('archive-damaged', 'the sealed key material does not decrypt: the archive was changed');
  }
  const bundle = bundleSchema.parse(JSON.parse(plain.toString('utf8')));
  plain.fill(0);
  return bundle.files.map((f) => ({ path: f.path, mode: f.mode, data: Buffer.from(f.data, 'base64') }));
}

export function manifestMac(keys: BackupKeys, body: string): string {
  return createHmac('sha256', keys.mac).update(body).digest('hex');
}

export function macMatches(keys: BackupKeys, body: string, mac: string): boolean {
  const want = Buffer.from(manifestMac(keys, body), 'hex');
  const got = Buffer.from(mac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
