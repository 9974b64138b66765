// Box PINs: 4–8 digits, stored as scrypt. A PIN has little entropy, so what
// protects a box is the lockout (LOCK_AFTER wrong PINs lock it for
// LOCK_MINUTES, counted in the store across calls); the hash only keeps a
// stolen database from listing PINs outright. N=2^14 keeps a check ~20 ms on
// the call-control loop's worker pool.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

export const PIN = /^\d{4,8}$/;
export const LOCK_AFTER = 5;
export const LOCK_MINUTES = 15;
const N = 1 << 14;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(pin: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(pin, salt, KEYLEN, { N: n, r, p, maxmem: 256 * n * r }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPin(pin: string): Promise<string> {
  if (!PIN.test(pin)) throw new Error('hashPin: not a PIN');
  const salt = randomBytes(16);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${(await scrypt(pin, salt, N, R, P)).toString('base64')}`;
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt' || !PIN.test(pin)) return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const want = Buffer.from(parts[5]!, 'base64');
  const got = await scrypt(pin, Buffer.from(parts[4]!, 'base64'), n, r, p);
  return got.length === want.length && timingSafeEqual(got, want);
}
