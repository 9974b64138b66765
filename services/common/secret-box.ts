// Secrets that must be read back (a trunk's SIP password, which call-control
// sends to the operator's registrar, RFC 3261 §22), so they cannot be hashed:
// AES-256-GCM with a key derived by HKDF-SHA256 (RFC 5869) from the appliance
// master key, one key per purpose. The associated data binds a sealed value
// to its owner, so a value copied to another row does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from './errors';

const NONCE = 12;
const TAG = 16;
const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: Buffer, purpose: string) {
    if (masterKey.length < 32) throw new Error('SecretBox needs a 32-byte master key');
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `korobka secret-box ${purpose}`, 32));
  }

  seal(plaintext: string, aad: string): string {
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return `${VERSION}:${Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64')}`;
  }

  open(sealed: string, aad: string): string {
    const [version, b64] = sealed.split(':');
    const raw = Buffer.from(b64 ?? '', 'base64');
    if (version !== VERSION || raw.length < NONCE + TAG) throw secretUnreadable();
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, NONCE));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(raw.subarray(raw.length - TAG));
    try {
      return Buffer.concat([d.update(raw.subarray(NONCE, raw.length - TAG)), d.final()]).toString('utf8');
    } catch {
      throw secretUnreadable();
    }
  }
}

export const secretUnreadable = () => new AppError(500, 'secret-unreadable', 'a stored secret does not open with this master key (wrong key or altered value)');

/**
 * Trunk passwords: sealed by the api, opened by call-control to register.
 * `new SecretBox(masterKey, TRUNK_PASSWORD.purpose).open(sealed, TRUNK_PASSWORD.aad(tenantId))`.
 */
export const TRUNK_PASSWORD = {
  purpose: 'trunk-password',
  aad: (tenantId: number) => `trunk-password tenant:${tenantId}`,
} as const;
