// `korobka backup --verify` and the first step of every restore: read the
// whole archive, check each entry's SHA-256 and size against the manifest,
// the archive against its .sha256 file, and, given the passphrase, the
// manifest's MAC and the sealed key material.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { entries } from 'tar';
import { BackupError } from './errors';
import { checkManifestMac, decodeManifest, entryAllowed, MANIFEST, SECRETS_ENTRY, type Manifest } from './manifest';
import { deriveBackupKeys, openSecrets, type SecretFile } from './secrets';

export interface Verified {
  manifest: Manifest;
  /** SHA-256 of the whole archive file. */
  sha256: string;
  bytes: number;
  /** Present when the passphrase was given. */
  secrets?: SecretFile[];
  /** Whether a .sha256 file beside the archive was there to compare with. */
  sidecar: boolean;
}

export interface VerifyProgress {
  doneBytes: number;
  totalBytes: number;
}

const damaged = (file: string, why: string) => new BackupError('archive-damaged', `${path.basename(file)} is damaged: ${why}; nothing was changed`, { file });

/**
 * Reads every entry of `file`, hashing each body, and calls `onEntry` with
 * the entry's path and body chunks (restore writes them out as they pass).
 */
export async function readArchive(
  file: string,
  o: { onChunk?: (entryPath: string, chunk: Uint8Array) => Promise<void> | void; onEntryEnd?: (entryPath: string, sha256: string, size: number) => Promise<void> | void; onProgress?: (p: VerifyProgress) => void } = {},
): Promise<{ seen: Map<string, { size: number; sha256: string }>; manifestRaw: Buffer | null; secretsRaw: Buffer | null; sha256: string; bytes: number }> {
  if (!existsSync(file)) throw new BackupError('archive-not-found', `${file}: no such file`, { file });
  const totalBytes = statSync(file).size;
  const whole = createHash('sha256');
  let bytes = 0;
  const input = (async function* () {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      whole.update(chunk);
      bytes += chunk.length;
      o.onProgress?.({ doneBytes: bytes, totalBytes });
      yield chunk;
    }
  })();
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestRaw: Buffer | null = null;
  let secretsRaw: Buffer | null = null;
  try {
    // strict: a bad header checksum or a truncated body is an error, not a warning.
    for await (const entry of entries(input, { strict: true })) {
      const p = entry.path;
      if (entry.type !== 'File') throw damaged(file, `unexpected ${entry.type} entry ${JSON.stringify(p)}`);
      if (!entryAllowed(p)) throw damaged(file, `entry ${JSON.stringify(p)} is not one a Korobka backup holds`);
      if (seen.has(p)) throw damaged(file, `entry ${p} appears twice`);
      const h = createHash('sha256');
      const keep: Uint8Array[] | null = p === MANIFEST || p === SECRETS_ENTRY ? [] : null;
      let size = 0;
      // Node's web ReadableStream is async-iterable; the lib types this project builds with do not say so.
      for await (const chunk of entry.body as unknown as AsyncIterable<Uint8Array>) {
        h.update(chunk);
        size += chunk.length;
        keep?.push(Buffer.from(chunk));
        await o.onChunk?.(p, chunk);
      }
      const sha256 = h.digest('hex');
      seen.set(p, { size, sha256 });
      if (p === MANIFEST) manifestRaw = Buffer.concat(keep!);
      else if (p === SECRETS_ENTRY) secretsRaw = Buffer.concat(keep!);
      await o.onEntryEnd?.(p, sha256, size);
    }
  } catch (e) {
    if (e instanceof BackupError) throw e;
    const code = (e as { code?: string }).code;
    if (code && /^TAR_/.test(code)) throw damaged(file, `not a readable tar archive (${(e as Error).message})`);
    throw e;
  }
  return { seen, manifestRaw, secretsRaw, sha256: whole.digest('hex'), bytes };
}

/** Compares what was read with the manifest; throws on the first difference. */
export function checkAgainstManifest(file: string, manifest: Manifest, seen: Map<string, { size: number; sha256: string }>): void {
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const got = seen.get(f.path);
    if (!got) throw damaged(file, `${f.path} is listed in the manifest but missing`);
    if (got.size !== f.size || got.sha256 !== f.sha256) throw damaged(file, `${f.path} does not match its SHA-256 in the manifest`);
  }
  for (const p of seen.keys()) if (p !== MANIFEST && !listed.has(p)) throw damaged(file, `${p} is not in the manifest`);
}

export async function verifyBackup(file: string, o: { passphrase?: string; onProgress?: (p: VerifyProgress) => void } = {}): Promise<Verified> {
  const read = await readArchive(file, { onProgress: o.onProgress });
  const sidecarFile = `${file}.sha256`;
  const sidecar = existsSync(sidecarFile);
  if (sidecar) {
    const want = readFileSync(sidecarFile, 'utf8').trim().split(/\s+/)[0];
    if (want !== read.sha256) throw damaged(file, `its SHA-256 differs from ${path.basename(sidecarFile)}`);
  }
  if (!read.manifestRaw) throw damaged(file, 'it has no manifest (cut short?)');
  const { manifest, body, mac } = decodeManifest(read.manifestRaw);
  checkAgainstManifest(file, manifest, read.seen);
  const out: Verified = { manifest, sha256: read.sha256, bytes: read.bytes, sidecar };
  if (o.passphrase !== undefined) {
    const keys = await deriveBackupKeys(o.passphrase, manifest.kdf);
    checkManifestMac(keys, body, mac);
    if (!read.secretsRaw) throw damaged(file, 'the sealed key material is missing');
    out.secrets = openSecrets(keys, read.secretsRaw);
  }
  return out;
}
