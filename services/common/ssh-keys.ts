// SSH keys for the SFTP backup target (issue 18): the server's host key as
// the admin pins it, its SHA-256 fingerprint as OpenSSH prints it
// (`ssh-keygen -lf`), fetching a server's host key once so the admin can
// compare the fingerprint before pinning it, and the box's own private key
// (checked, and its public half shown for the server's authorized_keys).
// Here rather than in appliance/backup because the api fetches and checks
// keys too; npm ssh2 does the SSH transport (see appliance/backup/sftp-target.ts).
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader finds Client as a named export but not utils.
const { Client, utils } = ssh2;

/** OpenSSH's fingerprint of a key blob: `SHA256:` and unpadded base64. */
export const sshFingerprint = (blob: Buffer): string => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

/** The type name a key blob starts with (RFC 4253 §6.6: string type, then the key's fields). */
export function keyBlobType(blob: Buffer): string | null {
  const len = blob.length > 4 ? blob.readUInt32BE(0) : 0;
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[a-z0-9@.-]+$/.test(type) ? type : null;
}

/** A `type base64 [comment]` line as in known_hosts or a .pub file; null when it is not one. */
export function parseHostKeyLine(line: string): { type: string; blob: Buffer; line: string; fingerprint: string } | null {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || !/^[A-Za-z0-9+/]+=*$/.test(parts[1]!)) return null;
  const blob = Buffer.from(parts[1]!, 'base64');
  const type = keyBlobType(blob);
  if (!type || type !== parts[0]) return null;
  return { type, blob, line: `${type} ${parts[1]!}`, fingerprint: sshFingerprint(blob) };
}

/** The host-key algorithms ssh2 must offer to get a key of this type (an RSA key signs as rsa-sha2-*). */
export function hostKeyAlgorithms(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

export class SshKeyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SshKeyError';
  }
}

/**
 * The host key a server presents, without logging in: the connection is
 * dropped at the host-key check, before any authentication is sent.
 */
export function fetchHostKey(host: string, port: number, timeoutMs = 15_000): Promise<{ line: string; type: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let got: Buffer | null = null;
    const done = () => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end();
    };
    client.on('error', (e: Error & { code?: string; level?: string }) => {
      done();
      if (got) {
        const type = keyBlobType(got) ?? 'unknown';
        return resolve({ line: `${type} ${got.toString('base64')}`, type, fingerprint: sshFingerprint(got) });
      }
      const why = e.level === 'client-timeout' || e.code === 'ETIMEDOUT' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (e.code ?? e.message);
      reject(new SshKeyError('sftp-unreachable', `cannot reach the SSH server ${host}:${port}: ${why}`));
    });
    client.on('ready', () => {
      // Cannot happen: the verifier refuses every key. Treat it as no key seen.
      done();
      reject(new SshKeyError('sftp-unreachable', `the SSH server ${host}:${port} presented no host key`));
    });
    client.connect({
      host,
      port,
      username: 'korobka-host-key-probe',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        got = key;
        return false;
      },
    });
  });
}

/** The box's private key for the SFTP user: an unencrypted OpenSSH or PEM key; its public line for authorized_keys. */
export function parsePrivateKey(text: string): { type: string; publicLine: string } {
  const parsed = utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    const why = key instanceof Error && /encrypted|passphrase/i.test(key.message) ? 'it is protected by a passphrase (the box needs one without)' : 'not an SSH private key';
    throw new SshKeyError('validation-failed', why);
  }
  if (!key.isPrivateKey()) throw new SshKeyError('validation-failed', 'this is a public key; paste the private key');
  return { type: key.type, publicLine: `${key.type} ${key.getPublicSSH().toString('base64')} korobka-backup` };
}

/** Sealing the SFTP private key with the SecretBox (like trunk and SMTP passwords), bound to its one owner. */
export const BACKUP_SFTP_KEY = {
  purpose: 'backup-sftp-key',
  aad: 'backup-sftp-key appliance',
} as const;
