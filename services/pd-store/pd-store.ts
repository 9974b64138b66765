// The personal-data store: the one place that turns a phone number into a
// data subject, seals and opens the subject's fields, and erases a subject by
// destroying its key. Callers never see a key, only plaintext they asked for
// (and the api audits every such read).
import { randomBytes } from 'node:crypto';
import type { PdSubjectRow, Store } from '../store';
import { legalHold, subjectErased, subjectNotFound, fieldUnreadable } from './errors';
import { openField, sealField, type FieldRef } from './field-cipher';
import { requirePhone } from './normalise';
import type { PdKeys } from './pd-keys';

export interface Subject {
  id: string;
  tenantId: number;
  legalHold: string | null;
  createdAt: string;
  erasedAt: string | null;
}

const view = (r: PdSubjectRow): Subject => ({
  id: r.id,
  tenantId: r.tenantId,
  legalHold: r.legalHold,
  createdAt: r.createdAt,
  erasedAt: r.erasedAt,
});

export class PdStore {
  /** Unwrapped subject keys of this process, dropped on erasure. */
  private readonly keys = new Map<string, Buffer>();

  constructor(
    readonly store: Store,
    readonly pdKeys: PdKeys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  blindIndex(tenantId: number) {
    return this.pdKeys.blindIndex(tenantId);
  }

  /** The subject known by this number, if any (the number is normalised first; a bad one is a validation error on `field`). */
  findByNumber(tenantId: number, number: string, field = 'number'): Subject | undefined {
    const r = this.store.pdSubjects.byNumber(tenantId, this.blindIndex(tenantId).number(requirePhone(field, number)));
    return r && view(r);
  }

  /** The E.164 form of a number, or a validation error on `field`. */
  normalise(number: string, field = 'number'): string {
    return requirePhone(field, number);
  }

  /** The subject of an E.164 number, made on first sight. */
  subjectForNumber(tenantId: number, e164: string): Subject {
    const bidx = this.blindIndex(tenantId).number(e164);
    return this.store.transaction(() => {
      const found = this.store.pdSubjects.byNumber(tenantId, bidx);
      if (found) return view(found);
      const s = this.newSubject(tenantId);
      this.store.pdSubjects.addNumber(tenantId, bidx, s.id);
      return s;
    }, 'immediate');
  }

  /** A subject with no number yet (a contact known only by name). */
  newSubject(tenantId: number): Subject {
    const id = 'ps-' + randomBytes(10).toString('hex');
    const { key, wrapped } = this.pdKeys.newSubjectKey(tenantId, id);
    const createdAt = this.now().toISOString();
    this.store.pdSubjects.insert({ id, tenantId, tenantKeyId: wrapped.tenantKeyId, wrappedKey: wrapped.wrapped, createdAt });
    this.keys.set(id, key);
    return { id, tenantId, legalHold: null, createdAt, erasedAt: null };
  }

  /** Links another number to a subject; false when it already belongs to a subject (this one or another). */
  linkNumber(tenantId: number, subjectId: string, e164: string): boolean {
    return this.store.pdSubjects.addNumber(tenantId, this.blindIndex(tenantId).number(e164), subjectId);
  }

  get(tenantId: number, subjectId: string): Subject {
    const r = this.store.pdSubjects.get(tenantId, subjectId);
    if (!r) throw subjectNotFound(subjectId);
    return view(r);
  }

  private key(tenantId: number, subjectId: string): Buffer {
    const cached = this.keys.get(subjectId);
    if (cached) return cached;
    const r = this.store.pdSubjects.get(tenantId, subjectId);
    if (!r) throw subjectNotFound(subjectId);
    const key = this.pdKeys.unwrapSubjectKey(
      tenantId,
      subjectId,
      r.wrappedKey && r.tenantKeyId ? { tenantKeyId: r.tenantKeyId, wrapped: r.wrappedKey } : null,
    );
    this.keys.set(subjectId, key);
    return key;
  }

  seal(subjectId: string, value: string, ref: FieldRef): Buffer {
    return sealField(this.key(ref.tenantId, subjectId), value, ref);
  }

  /** Opens a field; a subject erased since gives pd-subject-erased, an altered or moved value pd-field-unreadable. */
  open(subjectId: string, sealed: Buffer, ref: FieldRef): string {
    const v = openField(this.key(ref.tenantId, subjectId), sealed, ref);
    if (v === undefined) throw fieldUnreadable(`${ref.table}.${ref.field} of ${ref.rowId}`);
    return v;
  }

  setLegalHold(tenantId: number, subjectId: string, reason: string | null): Subject {
    if (!this.store.pdSubjects.setLegalHold(tenantId, subjectId, reason)) throw subjectNotFound(subjectId);
    return this.get(tenantId, subjectId);
  }

  /**
   * Crypto-shredding: destroys the subject's key (and the links from its
   * numbers), then checkpoints the WAL so no copy of the key stays there.
   * Refused under legal hold. Erasing an erased subject is refused too.
   */
  erase(tenantId: number, subjectId: string, beforeShred?: () => void): Subject {
    const s = this.get(tenantId, subjectId);
    if (s.erasedAt) throw subjectErased(subjectId);
    if (s.legalHold) throw legalHold(subjectId, s.legalHold);
    this.store.pdSubjects.secureDelete();
    this.store.transaction(() => {
      beforeShred?.();
      this.store.pdSubjects.shred(tenantId, subjectId, this.now().toISOString());
    }, 'immediate');
    this.keys.delete(subjectId);
    this.store.pdSubjects.checkpoint();
    return this.get(tenantId, subjectId);
  }

  /** Forgets every unwrapped key held in memory (tests of what a fresh process sees). */
  forgetKeys(): void {
    this.keys.clear();
  }
}
