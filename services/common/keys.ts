// The appliance master key (32 bytes, <dataDir>/keys/master.key or a file on
// separate media) and the small primitives built on it. Shared: the
// recordings keyring wraps tenant keys with it, and the store of trunk
// passwords derives its SecretBox key from it (secret-box.ts), so neither
// service reaches into the other for it.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors';

export const KEY_BYTES = 32;
const NONCE = 12;
const TAG = 16;
/** Length of a wrapped 32-byte key: nonce ‖ ciphertext ‖ tag. */
export const WRAPPED_BYTES = NONCE + KEY_BYTES + TAG;

export interface MasterKey {
  id: string;
  key: Buffer;
}

/** A key's id is a hash of it under a fixed label: it names the key without revealing it. */
export function masterKeyId(key: Buffer): string {
  return 'mk-' + createHash('sha256').update('korobka master key id\0').update(key).digest('hex').slice(0, 16);
}

export function wrapKey(kek: Buffer, key: Buffer, aad: string): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', kek, nonce);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(key), c.final()]);
  return Buffer.concat([nonce, ct, c.getAuthTag()]);
}

/** Returns undefined when the tag does not verify: wrong key, wrong AAD or tampered bytes. */
export function unwrapKey(kek: Buffer, wrapped: Buffer, aad: string): Buffer | undefined {
  if (wrapped.length !== WRAPPED_BYTES) return undefined;
  const d = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, NONCE));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(wrapped.subarray(NONCE + KEY_BYTES));
  try {
    return Buffer.concat([d.update(wrapped.subarray(NONCE, NONCE + KEY_BYTES)), d.final()]);
  } catch {
    return undefined;
  }
}

/** Writes a file readable by its owner only, atomically (temp file, fsync, rename). */
export function writeSecretFile(file: string, data: Buffer | string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export const keyFilePermissions = (path: string, mode: number) =>
  new AppError(500, 'key-file-permissions', `${path}: mode ${(mode & 0o777).toString(8)} lets others read the key; chmod 600 it`, { path });
export const keyFileInvalid = (path: string, why: string) => new AppError(500, 'key-file-invalid', `${path}: ${why}`, { path });
export const keyFileMissing = (path: string) => new AppError(500, 'key-file-missing', `${path}: master key file not found`, { path });

export function readMasterFile(file: string): MasterKey {
  const st = statSync(file);
  if ((st.mode & 0o077) !== 0) throw keyFilePermissions(file, st.mode);
  if (!st.isFile()) throw keyFileInvalid(file, 'not a regular file');
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) throw keyFileInvalid(file, `${key.length} bytes, expected ${KEY_BYTES}`);
  return { id: masterKeyId(key), key };
}

export function defaultMasterKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'master.key');
}

/**
 * The appliance master key. The default file under the data directory is
 * created on first use (32 random bytes, mode 0600); a configured path (a key
 * on separate media) must already exist. A key file others can read is refused.
 */
export function loadMasterKey(opts: { dataDir: string; masterKeyPath?: string }): MasterKey {
  const file = opts.masterKeyPath ?? defaultMasterKeyPath(opts.dataDir);
  if (!existsSync(file)) {
    if (opts.masterKeyPath) throw keyFileMissing(file);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(file, 'wx', 0o600); // wx: never overwrite a key another process just made
    try {
      writeSync(fd, randomBytes(KEY_BYTES));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return readMasterFile(file);
}
