// Passwords are hashed with scrypt (node:crypto); the stored form carries
// its parameters so they can be raised later without breaking old hashes.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's password storage cheat sheet (2023+): scrypt N=2^17, r=8, p=1.
// Hashes made with smaller figures still verify and are rewritten with these
// at the next successful sign-in (needsRehash). `api.scryptLogN` may lower
// N for test runs only; the default is OWASP's.
export const DEFAULT_LOG_N = 17;
const r = 8;
const p = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, logN = DEFAULT_LOG_N): Promise<string> {
  const N = 2 ** logN;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r, p, maxmem: 128 * N * r * 2 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, rr, pp, salt, key] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(rr),
    p: Number(pp),
    maxmem: 128 * Number(n) * Number(rr) * 2,
  });
  return timingSafeEqual(got, expected);
}

/** True when a stored hash is weaker than today's parameters: rehash it on the next sign-in (never downwards). */
export function needsRehash(stored: string, logN = DEFAULT_LOG_N): boolean {
  const [kind, n, rr, pp] = stored.split('$');
  return kind !== 'scrypt' || Number(n) < 2 ** logN || Number(rr) < r || Number(pp) < p;
}

const dummies = new Map<number, Promise<string>>();
/** A hash of a random password: compared against when the user does not exist or is locked, so timing does not tell. */
export function dummyHash(logN = DEFAULT_LOG_N): Promise<string> {
  let d = dummies.get(logN);
  if (!d) dummies.set(logN, (d = hashPassword(randomBytes(12).toString('hex'), logN)));
  return d;
}

/** One-time passwords: 18 characters from an unambiguous alphabet (~100 bits). */
export function generatePassword(length = 18): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < alphabet.length * Math.floor(256 / alphabet.length)) out += alphabet[b % alphabet.length];
  }
  return out.length === length ? out : generatePassword(length);
}

export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 200) return 'must be at most 200 characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'must not contain the user name';
  if (new Set(password).size < 5) return 'is too simple';
  return null;
}
