// Ed25519 vendor keys (RFC 8032) through node-forge, stored as standard PEM
// (RFC 8410: PKCS#8 private key, SubjectPublicKeyInfo public key) so
// `openssl pkey -in licence-signing.key -text` can inspect them.
import forge from 'node-forge';
import { createHash } from 'node:crypto';

export interface VendorPublicKey {
  /** Derived from the key (keyIdFor); the licence names it so several keys can be embedded. */
  keyId: string;
  /** The 32-byte Ed25519 public key, base64. */
  publicKey: string;
  /** Who holds the private half and since when, for people reading vendor-keys.ts. */
  note?: string;
}

export interface VendorKeyPair {
  keyId: string;
  publicKey: Buffer;
  /** The 32-byte seed (RFC 8032 private key). */
  seed: Buffer;
}

// DER prefixes of the two fixed-shape RFC 8410 structures; the key bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function keyIdFor(publicKey: Uint8Array): string {
  return 'kv1-' + createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

export function generateVendorKeyPair(): VendorKeyPair {
  const seed = Buffer.from(forge.random.getBytesSync(32), 'binary');
  return keyPairFromSeed(seed);
}

export function keyPairFromSeed(seed: Buffer): VendorKeyPair {
  const { publicKey } = forge.pki.ed25519.generateKeyPair({ seed });
  const pub = Buffer.from(publicKey);
  return { keyId: keyIdFor(pub), publicKey: pub, seed };
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function unpem(label: string, text: string): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  return m?.[1] === undefined ? undefined : Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export function privateKeyToPem(seed: Buffer): string {
  return pem('PRIVATE KEY', Buffer.concat([PKCS8_PREFIX, seed]));
}

export function publicKeyToPem(publicKey: Buffer): string {
  return pem('PUBLIC KEY', Buffer.concat([SPKI_PREFIX, publicKey]));
}

// PBKDF2-SHA256 iterations for an encrypted vendor key: about a second and a
// half in node-forge on the signing workstation, once per licence issued.
const PBKDF2_ITERATIONS = 200_000;
export const MIN_PASSPHRASE_LENGTH = 12;

/** PKCS#8 EncryptedPrivateKeyInfo (PBES2, AES-256-CBC), readable by `openssl pkey -passin`. */
export function encryptedPrivateKeyToPem(seed: Buffer, passphrase: string): string {
  const der = Buffer.concat([PKCS8_PREFIX, seed]);
  const info = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const encrypted = forge.pki.encryptPrivateKeyInfo(info, passphrase, { algorithm: 'aes256', count: PBKDF2_ITERATIONS, prfAlgorithm: 'sha256' });
  return forge.pki.encryptedPrivateKeyToPem(encrypted);
}

function decryptPem(text: string, passphrase: string): Buffer | Error {
  let encrypted: forge.asn1.Asn1;
  try {
    encrypted = forge.pki.encryptedPrivateKeyFromPem(text);
  } catch (e) {
    return new Error(`cannot read the encrypted private key (${(e as Error).message})`);
  }
  let info: forge.asn1.Asn1 | null;
  try {
    info = forge.pki.decryptPrivateKeyInfo(encrypted, passphrase);
  } catch {
    // A wrong passphrase decrypts to random bytes: usually forge sees bad
    // padding (null), but now and then the padding passes and its DER reader
    // fails on the garbage instead ("Only 8, 16, 24, or 32 bits supported").
    info = null;
  }
  if (info === null) return new Error('wrong passphrase for the private key');
  return Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
}

/** The seed from a PKCS#8 PEM (encrypted ones need the passphrase), or an Error naming what is wrong. */
export function privateKeyFromPem(text: string, passphrase?: string): Buffer | Error {
  let der: Buffer | undefined;
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    if (passphrase === undefined) return new Error('the private key is encrypted: pass --passphrase-file FILE');
    const plain = decryptPem(text, passphrase);
    if (plain instanceof Error) return plain;
    der = plain;
  } else {
    der = unpem('PRIVATE KEY', text);
    if (der === undefined) return new Error('no "BEGIN PRIVATE KEY" PEM block');
  }
  if (der.length !== PKCS8_PREFIX.length + 32 || !der.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX)) {
    return new Error('not an Ed25519 PKCS#8 private key');
  }
  return der.subarray(PKCS8_PREFIX.length);
}

export function publicKeyFromPem(text: string): Buffer | Error {
  const der = unpem('PUBLIC KEY', text);
  if (der === undefined) return new Error('no "BEGIN PUBLIC KEY" PEM block');
  if (der.length !== SPKI_PREFIX.length + 32 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    return new Error('not an Ed25519 public key');
  }
  return der.subarray(SPKI_PREFIX.length);
}

export function vendorPublicKey(publicKey: Buffer, note?: string): VendorPublicKey {
  return note === undefined ? { keyId: keyIdFor(publicKey), publicKey: publicKey.toString('base64') } : { keyId: keyIdFor(publicKey), publicKey: publicKey.toString('base64'), note };
}

export function ed25519Sign(message: Buffer, seed: Buffer): Buffer {
  return Buffer.from(forge.pki.ed25519.sign({ message, privateKey: seed }));
}

/** False for any bad input (wrong lengths included) rather than throwing. */
export function ed25519Verify(message: Buffer, signature: Buffer, publicKey: Buffer): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return forge.pki.ed25519.verify({ message, signature, publicKey });
  } catch {
    return false;
  }
}
