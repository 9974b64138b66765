// Personal fields outside the pd-store's own tables (issue 15): CDR parties,
// forward and transfer targets. The store does not hold keys; the process
// that opens it installs a PdFieldCipher (services/pd-store/pd-fields.ts)
// and the repositories seal on write and open on read through it.
//
// A sealed value is stored in the same TEXT column as
// `pd1:<subject id>:<base64url AES-256-GCM>`, so the columns, their JSON
// forms and every statistic over the plain columns (duration, disposition,
// direction, extension) keep their meaning. What stays plain is what is not
// a person's data: the box's own extensions and service codes (up to 6
// digits, `*`, `#`), `anonymous`, and the erased marker. A store without a
// cipher (unit tests of the SQL) writes plain values and reads sealed ones
// as SEALED_UNREADABLE.

export const SEALED_PREFIX = 'pd1:';
/** What a reader without keys (or after the subject's erasure) sees instead of the value. */
export const SEALED_UNREADABLE = 'encrypted';

export const isSealed = (stored: string | null | undefined): stored is string => typeof stored === 'string' && stored.startsWith(SEALED_PREFIX);

/** Which row and column a value belongs to: the associated data of its ciphertext. */
export interface PdFieldRef {
  table: string;
  tenantId: number;
  rowId: string;
  field: string;
}

export interface PdFieldCipher {
  /**
   * The stored text of `value`: the value itself when it is not personal
   * data, else sealed under the key of the subject of `subjectOf` (the
   * party's number: its dialled string goes under the same subject).
   */
  seal(value: string, ref: PdFieldRef, subjectOf?: string): string;
  /** The value of a stored text (plain text is returned as it is); SEALED_UNREADABLE when the subject was erased. */
  open(stored: string, ref: PdFieldRef): string;
  /** The blind index of a party's number (keyed HMAC of its E.164 form); undefined when it is not a full number. */
  numberIndex(tenantId: number, value: string): Buffer | undefined;
}

/** The cipher a store's repositories share; set once by the process that has the keys. */
export class PdFieldsSlot {
  cipher: PdFieldCipher | undefined;

  seal(value: string, ref: PdFieldRef, subjectOf?: string): string {
    return this.cipher ? this.cipher.seal(value, ref, subjectOf) : value;
  }

  open(stored: string, ref: PdFieldRef): string {
    if (!isSealed(stored)) return stored;
    return this.cipher ? this.cipher.open(stored, ref) : SEALED_UNREADABLE;
  }

  numberIndex(tenantId: number, value: string): Buffer | null {
    return this.cipher?.numberIndex(tenantId, value) ?? null;
  }
}
