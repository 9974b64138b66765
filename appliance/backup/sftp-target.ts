// A remote backup target the admin chooses (issue 18): SFTP to the bank's
// backup server, with its host key pinned — the box never trusts a key on
// first use, so a server that answers with another key is refused before
// anything is sent. npm `ssh2` (mscdex/ssh2, pure JavaScript, ~26M downloads
// a month, what most Node SSH tools build on) gives the SSH transport and the
// SFTP subsystem in-process: no `sftp`/`ssh` binary, no known_hosts file or
// batch-mode flags to get right, and the host key comes to us as bytes to
// compare. ssh2-sftp-client would only add promises over the same calls.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import { hostKeyAlgorithms, keyBlobType, parseHostKeyLine, sshFingerprint as fingerprint } from '../../services/common/ssh-keys';
import { BackupError } from './errors';

export interface SftpTarget {
  host: string;
  port: number;
  username: string;
  /** Directory on the server; the archive and its .sha256 go there. */
  dir: string;
  privateKey: Buffer;
  /** The pinned host key as in known_hosts or a .pub file: `ssh-ed25519 AAAA…` (a comment after it is ignored). */
  hostKey: string;
}

/** `sftp://user@host[:port]/absolute/dir` */
export function parseSftpUrl(url: string): { host: string; port: number; username: string; dir: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BackupError('sftp-bad-target', `--sftp ${url}: expected sftp://user@host[:port]/directory`);
  }
  if (u.protocol !== 'sftp:' || !u.hostname || !u.username || !u.pathname || u.pathname === '/')
    throw new BackupError('sftp-bad-target', `--sftp ${url}: expected sftp://user@host[:port]/directory (a user, a host and a directory)`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 22, username: decodeURIComponent(u.username), dir: decodeURIComponent(u.pathname) };
}

/** The key blob of a pinned `type base64 [comment]` line. */
export function pinnedKeyBlob(line: string): Buffer {
  const key = parseHostKeyLine(line);
  if (!key)
    throw new BackupError('sftp-bad-target', `--sftp-host-key: expected the server's public host key as "ssh-ed25519 AAAA…" (from its /etc/ssh/ssh_host_*_key.pub), got "${line.slice(0, 40)}"`);
  return key.blob;
}

/** An open SFTP session to the target, its host key checked and the directory writable. */
export class SftpSession {
  private constructor(
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    readonly target: SftpTarget,
  ) {}

  static async open(target: SftpTarget, timeoutMs = 20_000): Promise<SftpSession> {
    const pinned = pinnedKeyBlob(target.hostKey);
    const where = `${target.host}:${target.port}`;
    let presented: Buffer | null = null;
    const client = new Client();
    const ready = new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', (e: Error & { code?: string; level?: string }) => {
        if (presented && !presented.equals(pinned))
          return reject(new BackupError('sftp-host-key-mismatch', `the SFTP server ${where} presented host key ${fingerprint(presented)}, not the pinned ${fingerprint(pinned)}: refused, nothing was sent (if the server's key really changed, pin the new one)`, { presented: fingerprint(presented) }));
        if (e.level === 'client-authentication')
          return reject(new BackupError('sftp-auth-failed', `the SFTP server ${where} refused the key for user ${target.username}: add the box's public key to that user's authorized_keys; nothing was sent`));
        if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT')
          return reject(new BackupError('sftp-unreachable', `the SFTP server ${where} did not answer within ${Math.round(timeoutMs / 1000)} s; nothing was sent`));
        reject(new BackupError('sftp-unreachable', `cannot reach the SFTP server ${where}: ${e.code ?? e.message}; nothing was sent`, { code: e.code }));
      });
    });
    client.connect({
      host: target.host,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      readyTimeout: timeoutMs,
      // Ask for the pinned key's type: a server with several host keys would otherwise answer with ssh2's first choice.
      algorithms: { serverHostKey: hostKeyAlgorithms(keyBlobType(pinned) ?? '') as never },
      hostVerifier: (key: Buffer) => {
        presented = key;
        return key.equals(pinned);
      },
    });
    await ready;
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((e, s) => (e ? reject(e) : resolve(s))));
    const session = new SftpSession(client, sftp, target);
    const st = await new Promise<{ isDirectory(): boolean } | null>((resolve) => sftp.stat(target.dir, (e, s) => resolve(e ? null : s)));
    if (!st?.isDirectory()) {
      session.close();
      throw new BackupError('sftp-bad-target', `${target.dir} on the SFTP server ${where} is not a directory (create it for user ${target.username}); nothing was sent`);
    }
    return session;
  }

  /** Uploads under a hidden name and renames it into place, so the server never holds a partial archive under the real name. */
  async upload(localFile: string): Promise<string> {
    const name = path.posix.basename(localFile);
    const final = path.posix.join(this.target.dir, name);
    const partial = path.posix.join(this.target.dir, `.${name}.partial`);
    const call = <T>(f: (cb: (e: Error | null | undefined, v?: T) => void) => void) => new Promise<T>((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v as T))));
    try {
      await call<void>((cb) => this.sftp.fastPut(localFile, partial, { mode: 0o600 }, (e) => cb(e)));
      await call<void>((cb) => this.sftp.rename(partial, final, (e) => cb(e)));
    } catch (e) {
      await call<void>((cb) => this.sftp.unlink(partial, () => cb(null))).catch(() => undefined);
      throw new BackupError('sftp-upload-failed', `uploading ${name} to ${this.target.host}:${final} failed: ${(e as Error).message}; the partial upload was removed`, { remote: final });
    }
    return final;
  }

  private call<T>(f: (cb: (e: Error | null | undefined, v?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v as T))));
  }

  /** Copies a file of the target directory to the box (verification reads the copy on the server, not ours). */
  async download(name: string, localFile: string): Promise<void> {
    await this.call<void>((cb) => this.sftp.fastGet(path.posix.join(this.target.dir, name), localFile, (e) => cb(e)));
  }

  /** SHA-256 of a file of the target directory, read from the server. */
  async sha256(name: string): Promise<string> {
    const hash = createHash('sha256');
    await new Promise<void>((resolve, reject) => {
      const s = this.sftp.createReadStream(path.posix.join(this.target.dir, name));
      s.on('data', (b: Buffer) => hash.update(b));
      s.on('error', reject);
      s.on('end', () => resolve());
    });
    return hash.digest('hex');
  }

  /** Removes a file of the target directory; a file already gone is no error. */
  async remove(name: string): Promise<void> {
    await this.call<void>((cb) => this.sftp.unlink(path.posix.join(this.target.dir, name), (e) => cb(e && (e as { code?: number }).code === 2 ? null : e)));
  }

  /** Names in the target directory. */
  async list(): Promise<string[]> {
    const entries = await this.call<{ filename: string }[]>((cb) => this.sftp.readdir(this.target.dir, (e, l) => cb(e, l)));
    return entries.map((x) => x.filename).sort();
  }

  close(): void {
    this.client.end();
  }
}

export function sftpTarget(url: string, keyFile: string, hostKey: string): SftpTarget {
  let privateKey: Buffer;
  try {
    privateKey = readFileSync(keyFile);
  } catch (e) {
    throw new BackupError('sftp-bad-target', `cannot read the SSH key ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { ...parseSftpUrl(url), privateKey, hostKey };
}
