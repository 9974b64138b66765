// The manifest, the last entry of a backup archive: what made it (app and
// schema version), and the size and SHA-256 of every other entry. It is kept
// as the exact JSON text it was hashed and MACed as.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BackupError } from './errors';
import { kdfSchema, macMatches, manifestMac, type BackupKeys } from './secrets';

export const FORMAT = 'korobka-backup/1';
export const MANIFEST = 'manifest.json';
export const DB_ENTRY = 'db/korobka.db';
export const SECRETS_ENTRY = 'secrets.sealed';
export const DATA_PREFIX = 'data/';

const fileSchema = z.object({ path: z.string(), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export const manifestSchema = z.object({
  format: z.literal(FORMAT),
  appVersion: z.string().regex(/^\d+\.\d+\.\d+/),
  schemaVersion: z.number().int().min(0),
  createdAt: z.string(),
  hostname: z.string(),
  masterKeyId: z.string().nullable(),
  kdf: kdfSchema,
  files: z.array(fileSchema),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileSchema>;

const envelopeSchema = z.object({ body: z.string(), sha256: z.string(), mac: z.string() });

export function encodeManifest(m: Manifest, keys: BackupKeys): Buffer {
  const body = JSON.stringify(m, null, 1);
  return Buffer.from(JSON.stringify({ body, sha256: sha256(body), mac: manifestMac(keys, body) }, null, 1) + '\n');
}

/** The manifest as written, its own checksum checked (not yet the MAC: that needs the passphrase). */
export function decodeManifest(raw: Buffer): { manifest: Manifest; body: string; mac: string } {
  let env: z.infer<typeof envelopeSchema>;
  let parsed: unknown;
  try {
    env = envelopeSchema.parse(JSON.parse(raw.toString('utf8')));
    if (sha256(env.body) !== env.sha256) throw new Error('checksum');
    parsed = JSON.parse(env.body);
  } catch {
    throw new BackupError('archive-damaged', 'the manifest of the archive is damaged (its checksum does not match)');
  }
  const m = manifestSchema.safeParse(parsed);
  if (!m.success) {
    const format = (parsed as { format?: unknown } | null)?.format;
    if (format !== FORMAT) throw new BackupError('archive-not-korobka', `not a Korobka backup of a format this version reads (format ${JSON.stringify(format)}, expected ${FORMAT})`);
    throw new BackupError('archive-damaged', `the manifest is not valid: ${m.error.issues[0]?.path.join('.')}: ${m.error.issues[0]?.message}`);
  }
  return { manifest: m.data, body: env.body, mac: env.mac };
}

export function checkManifestMac(keys: BackupKeys, body: string, mac: string): void {
  if (!macMatches(keys, body, mac)) throw new BackupError('passphrase-wrong', 'the backup passphrase is wrong (or the manifest was altered): nothing was changed');
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** x.y.z compared numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Paths an archive may hold. A restore writes only these, each checked
 * component by component, so an archive cannot write outside the new data
 * directory (no absolute paths, no `..`, no dot-files).
 */
export function entryAllowed(p: string): boolean {
  if (p === MANIFEST || p === DB_ENTRY || p === SECRETS_ENTRY) return true;
  if (!p.startsWith(DATA_PREFIX)) return false;
  const parts = p.slice(DATA_PREFIX.length).split('/');
  return parts.length > 0 && parts.every((c) => /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,254}$/.test(c));
}
