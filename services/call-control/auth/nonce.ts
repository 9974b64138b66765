// Stateless digest nonces (RFC 7616 §3.3 and §5.5): the nonce carries its
// own issue time and 8 random bytes, authenticated by an HMAC under a secret
// drawn at each boot, bound to the realm it was issued for. Nothing is stored
// per challenge, so a flood of unauthenticated requests costs no memory;
// a restart invalidates every outstanding nonce, which phones answer by
// authenticating again. The HMAC also covers the address the challenge went
// to: a wrong answer to such a nonce proves the sender received our
// challenge there (issue 16 item 3: a spoofed source cannot have), so only
// those failures count toward a ban.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TS_BYTES = 6; // milliseconds since the epoch fit in 48 bits until the year 10889
const RAND_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TS_BYTES + RAND_BYTES + MAC_BYTES;
/** Nonces from the future beyond this are forged or from a badly skewed clock. */
const FUTURE_SKEW_MS = 5_000;

export type NonceCheck =
  | { valid: true; issuedAt: number; expired: boolean }
  | { valid: false };

export interface NonceOptions {
  /** HMAC key; at least 32 bytes, new at each boot. */
  secret: Buffer;
  /** How long a nonce may be used, in seconds. */
  ttlSeconds: number;
  now: () => number;
}

export class NonceIssuer {
  readonly ttlMs: number;
  constructor(private readonly opts: NonceOptions) {
    if (opts.secret.length < 32) throw new RangeError('nonce secret must be at least 32 bytes');
    if (!(opts.ttlSeconds > 0)) throw new RangeError('nonce ttlSeconds must be positive');
    this.ttlMs = opts.ttlSeconds * 1000;
  }

  /** `source`: the address the challenge is sent to; the nonce is only valid from there. */
  issue(realm: string, source = ''): string {
    const head = Buffer.alloc(TS_BYTES + RAND_BYTES);
    head.writeUIntBE(Math.floor(this.opts.now()), 0, TS_BYTES);
    randomBytes(RAND_BYTES).copy(head, TS_BYTES);
    return Buffer.concat([head, this.mac(head, realm, source)]).toString('base64url');
  }

  check(nonce: string, realm: string, source = ''): NonceCheck {
    if (nonce.length !== Math.ceil((NONCE_BYTES * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { valid: false };
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return { valid: false };
    const head = raw.subarray(0, TS_BYTES + RAND_BYTES);
    if (!timingSafeEqual(raw.subarray(TS_BYTES + RAND_BYTES), this.mac(head, realm, source))) return { valid: false };
    const issuedAt = head.readUIntBE(0, TS_BYTES);
    const now = this.opts.now();
    if (issuedAt > now + FUTURE_SKEW_MS) return { valid: false };
    return { valid: true, issuedAt, expired: now - issuedAt > this.ttlMs };
  }

  private mac(head: Buffer, realm: string, source: string): Buffer {
    return createHmac('sha256', this.opts.secret).update(head).update('\0').update(realm).update('\0').update(source).digest().subarray(0, MAC_BYTES);
  }
}
