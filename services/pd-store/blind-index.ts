// Blind indexes: HMAC-SHA-256 (RFC 2104) under a per-tenant index key that is
// separate from every encryption key, over normalised values, so a row is
// found by equality without decrypting anything.
//
// What each one leaks to somebody holding the database but not the key:
//   number  (E.164)      which rows share a number, and how often a number
//                        occurs (frequency). Without the key the ~10^10
//                        possible Russian numbers cannot be tried: that is
//                        why the index is keyed and not a plain hash.
//   last4   (4 digits)   which rows share their last four digits: 10^4
//                        values, so it partitions the contacts into buckets
//                        and a frequency count narrows who a row might be.
//                        Only contacts carry it (search by "the end of the
//                        number"), never CDRs.
//   name    (prefixes)   which rows share a word prefix of 3–12 letters, and
//                        how many prefixes a word has (its length, up to 12).
//                        Common surnames stand out by frequency.
// With the key (the box unlocked) each index is a dictionary attack away from
// the value, which is why the key never leaves the pd-store and is wrapped by
// the master key like the data keys. Per tenant keys: the same number in two
// tenants gives different index values, so tenants cannot be correlated.
import { createHmac } from 'node:crypto';
import { nameWords } from './normalise';

/** 16 bytes: no collision is expected below ~2^64 values; smaller rows and indexes than 32. */
const BYTES = 16;
export const NAME_PREFIX_MIN = 3;
export const NAME_PREFIX_MAX = 12;

export type IndexKind = 'number' | 'last4' | 'name';

export class BlindIndex {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('BlindIndex needs a 32-byte key');
  }

  of(kind: IndexKind, value: string): Buffer {
    return createHmac('sha256', this.key).update(`${kind}|${value}`).digest().subarray(0, BYTES);
  }

  /** The index of an E.164 number (already normalised). */
  number(e164: string): Buffer {
    return this.of('number', e164);
  }

  last4(e164: string): Buffer {
    return this.of('last4', e164.slice(-4));
  }

  /** One index per distinct word prefix of 3–12 letters (a whole shorter word counts as its own prefix). */
  namePrefixes(name: string): Buffer[] {
    const seen = new Set<string>();
    for (const w of nameWords(name)) {
      const top = Math.min(w.length, NAME_PREFIX_MAX);
      if (w.length < NAME_PREFIX_MIN) seen.add(w);
      for (let n = NAME_PREFIX_MIN; n <= top; n++) seen.add(w.slice(0, n));
    }
    return [...seen].map((p) => this.of('name', p));
  }

  /** What a search for `query` matches: one index per word (a row must match them all), capped like the stored ones. */
  nameQuery(query: string): Buffer[] {
    return [...new Set(nameWords(query).map((w) => w.slice(0, NAME_PREFIX_MAX)))].map((w) => this.of('name', w));
  }
}
