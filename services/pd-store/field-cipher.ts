// Field encryption: AES-256-GCM (node:crypto, NIST SP 800-38D) with a random
// 96-bit nonce per value. The associated data names the table, tenant, row
// and field, so a ciphertext copied into another row or column does not
// open — the database cannot be rearranged behind the store's back.
//
// Stored form (a BLOB): version u8 = 1 ‖ nonce 12 ‖ ciphertext ‖ tag 16.
// With random nonces one key may seal about 2^32 values (SP 800-38D §8.3);
// a subject's key seals a few dozen.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export interface FieldRef {
  table: string;
  tenantId: number;
  rowId: string;
  field: string;
}

export function fieldAad(r: FieldRef): Buffer {
  return Buffer.from(`korobka/pd/field/v1|${r.table}|${r.tenantId}|${r.rowId}|${r.field}`);
}

export function sealField(key: Buffer, plaintext: string, ref: FieldRef): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(fieldAad(ref));
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, c.getAuthTag()]);
}

/** The plaintext, or undefined when the tag does not verify (wrong key, wrong row or field, altered bytes). */
export function openField(key: Buffer, sealed: Buffer, ref: FieldRef): string | undefined {
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) return undefined;
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + NONCE));
  d.setAAD(fieldAad(ref));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(1 + NONCE, sealed.length - TAG)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
