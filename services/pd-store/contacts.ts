// Contacts: a person or company, names, numbers, e-mails, notes, custom
// fields and a responsible manager. Every personal field is sealed under the
// key of the contact's data subject — the subject of its first number that
// already has one, else a new subject that takes the contact's numbers — so
// erasing the subject shreds the contact with everything else about them.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ContactIndexEntry, ContactKind, SealedContact } from '../store';
import { contactKinds } from '../store';
import { AppError } from '../common/errors';
import { NAME_PREFIX_MIN } from './blind-index';
import { nameWords, normalisePhone } from './normalise';
import type { PdStore } from './pd-store';

export interface ContactNumber {
  number: string;
  label?: string | undefined;
}

export interface ContactInput {
  kind: ContactKind;
  name: string;
  company?: string | undefined;
  numbers: ContactNumber[];
  emails?: string[] | undefined;
  notes?: string | undefined;
  custom?: Record<string, string> | undefined;
  managerUserId?: number | null | undefined;
}

export interface Contact extends Required<Omit<ContactInput, 'managerUserId'>> {
  id: string;
  tenantId: number;
  subjectId: string;
  managerUserId: number | null;
  createdAt: string;
  updatedAt: string;
}

const numberSchema = z.string().superRefine((v, ctx) => {
  const r = normalisePhone(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});

export const contactInputSchema = z.object({
  kind: z.enum(contactKinds, { message: `must be one of ${contactKinds.join(', ')}` }).default('person'),
  name: z.string({ message: 'required' }).trim().min(1, 'required').max(200, 'at most 200 characters'),
  company: z.string().trim().max(200, 'at most 200 characters').optional(),
  numbers: z
    .array(z.object({ number: numberSchema, label: z.string().trim().max(40, 'at most 40 characters').optional() }))
    .max(10, 'at most 10 numbers')
    .default([]),
  emails: z.array(z.string().trim().email('is not an e-mail address').max(254)).max(10, 'at most 10 e-mails').optional(),
  notes: z.string().max(4000, 'at most 4000 characters').optional(),
  custom: z.record(z.string().max(60), z.string().max(500, 'at most 500 characters')).optional(),
  managerUserId: z.number().int().positive().nullable().optional(),
});

export const contactNotFound = (id: string) => new AppError(404, 'contact-not-found', `no contact ${id}`, { id });
export const searchInvalid = (why: string) =>
  new AppError(400, 'validation-failed', `q: ${why}`, { fields: [{ field: 'q', message: why }] });

type Field = 'name' | 'company' | 'numbers' | 'emails' | 'notes' | 'custom';

export type SearchKind = 'number' | 'last4' | 'name';

export class ContactBook {
  constructor(
    private readonly pd: PdStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get repo() {
    return this.pd.store.pdContacts;
  }

  private ref(tenantId: number, id: string, field: string) {
    return { table: 'pd_contacts', tenantId, rowId: id, field };
  }

  private normalised(input: ContactInput): ContactInput {
    const seen = new Set<string>();
    const numbers: ContactNumber[] = [];
    for (const n of input.numbers) {
      const r = normalisePhone(n.number);
      if (!r.ok || seen.has(r.e164)) continue;
      seen.add(r.e164);
      numbers.push({ number: r.e164, ...(n.label ? { label: n.label } : {}) });
    }
    return { ...input, numbers };
  }

  private index(tenantId: number, c: ContactInput): ContactIndexEntry[] {
    const bi = this.pd.blindIndex(tenantId);
    const out: ContactIndexEntry[] = [];
    for (const n of c.numbers) out.push({ kind: 'number', bidx: bi.number(n.number) }, { kind: 'last4', bidx: bi.last4(n.number) });
    for (const b of bi.namePrefixes(`${c.name} ${c.company ?? ''}`)) out.push({ kind: 'name', bidx: b });
    return out;
  }

  private seal(tenantId: number, id: string, subjectId: string, c: ContactInput, createdAt: string): SealedContact {
    const s = (field: string, v: string) => this.pd.seal(subjectId, v, this.ref(tenantId, id, field));
    return {
      id,
      tenantId,
      subjectId,
      kind: c.kind,
      managerUserId: c.managerUserId ?? null,
      name: s('name', c.name),
      company: c.company ? s('company', c.company) : null,
      numbers: s('numbers', JSON.stringify(c.numbers)),
      emails: c.emails?.length ? s('emails', JSON.stringify(c.emails)) : null,
      notes: c.notes ? s('notes', c.notes) : null,
      custom: c.custom && Object.keys(c.custom).length ? s('custom', JSON.stringify(c.custom)) : null,
      createdAt,
      updatedAt: this.now().toISOString(),
    };
  }

  /** Decrypts a sealed row (pd-subject-erased when its subject was erased). */
  open(c: SealedContact): Contact {
    const o = (field: Field, b: Buffer | null) => (b ? this.pd.open(c.subjectId, b, this.ref(c.tenantId, c.id, field)) : undefined);
    return {
      id: c.id,
      tenantId: c.tenantId,
      subjectId: c.subjectId,
      kind: c.kind,
      managerUserId: c.managerUserId,
      name: o('name', c.name) ?? '',
      company: o('company', c.company) ?? '',
      numbers: JSON.parse(o('numbers', c.numbers) ?? '[]') as ContactNumber[],
      emails: JSON.parse(o('emails', c.emails) ?? '[]') as string[],
      notes: o('notes', c.notes) ?? '',
      custom: JSON.parse(o('custom', c.custom) ?? '{}') as Record<string, string>,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }

  /** The subject a new contact belongs to: that of its first number already known, else a new one taking its numbers. */
  private subjectFor(tenantId: number, c: ContactInput): string {
    const bi = this.pd.blindIndex(tenantId);
    let subjectId: string | undefined;
    for (const n of c.numbers) {
      subjectId = this.pd.store.pdSubjects.byNumber(tenantId, bi.number(n.number))?.id;
      if (subjectId) break;
    }
    subjectId ??= this.pd.newSubject(tenantId).id;
    for (const n of c.numbers) this.pd.linkNumber(tenantId, subjectId, n.number);
    return subjectId;
  }

  create(tenantId: number, input: ContactInput): Contact {
    const c = this.normalised(input);
    return this.pd.store.transaction(() => {
      const id = 'ct-' + randomBytes(10).toString('hex');
      const subjectId = this.subjectFor(tenantId, c);
      const sealed = this.seal(tenantId, id, subjectId, c, this.now().toISOString());
      this.repo.insert(sealed, this.index(tenantId, c));
      return this.open(sealed);
    }, 'immediate');
  }

  /** Many contacts in one transaction (CSV import): all or none. Returns ids and subjects, not plaintext. */
  createMany(tenantId: number, inputs: ContactInput[]): Array<{ id: string; subjectId: string }> {
    return this.pd.store.transaction(
      () =>
        inputs.map((input) => {
          const c = this.normalised(input);
          const id = 'ct-' + randomBytes(10).toString('hex');
          const subjectId = this.subjectFor(tenantId, c);
          this.repo.insert(this.seal(tenantId, id, subjectId, c, this.now().toISOString()), this.index(tenantId, c));
          return { id, subjectId };
        }),
      'immediate',
    );
  }

  get(tenantId: number, id: string): Contact {
    const s = this.repo.get(tenantId, id);
    if (!s) throw contactNotFound(id);
    return this.open(s);
  }

  /** Replaces the fields; new numbers join the contact's subject unless another subject has them. */
  update(tenantId: number, id: string, input: ContactInput): Contact {
    const c = this.normalised(input);
    return this.pd.store.transaction(() => {
      const cur = this.repo.get(tenantId, id);
      if (!cur) throw contactNotFound(id);
      for (const n of c.numbers) this.pd.linkNumber(tenantId, cur.subjectId, n.number);
      const sealed = this.seal(tenantId, id, cur.subjectId, c, cur.createdAt);
      this.repo.update(sealed, this.index(tenantId, c));
      return this.open(sealed);
    }, 'immediate');
  }

  delete(tenantId: number, id: string): { subjectId: string } {
    const cur = this.repo.get(tenantId, id);
    if (!cur || !this.repo.delete(tenantId, id)) throw contactNotFound(id);
    return { subjectId: cur.subjectId };
  }

  list(tenantId: number, limit = 50, offset = 0): { contacts: Contact[]; total: number } {
    const { rows, total } = this.repo.list(tenantId, limit, offset);
    return { contacts: rows.map((r) => this.open(r)), total };
  }

  /**
   * Search by a whole number (any usual spelling), by its last four digits,
   * or by name prefixes (each word at least 3 letters, all must match).
   */
  search(tenantId: number, q: string, limit = 50): { kind: SearchKind; contacts: Contact[] } {
    const query = q.trim();
    const bi = this.pd.blindIndex(tenantId);
    const digits = query.replace(/[\s\-.()+]/g, '');
    if (/^\d+$/.test(digits)) {
      if (digits.length === 4)
        return { kind: 'last4', contacts: this.repo.search(tenantId, 'last4', [bi.of('last4', digits)], limit).map((r) => this.open(r)) };
      const n = normalisePhone(query);
      if (!n.ok) throw searchInvalid(`a number search needs the whole number or its last 4 digits (${n.message})`);
      return { kind: 'number', contacts: this.repo.search(tenantId, 'number', [bi.number(n.e164)], limit).map((r) => this.open(r)) };
    }
    const words = nameWords(query);
    if (words.length === 0) throw searchInvalid('give a number, its last 4 digits or the start of a name');
    if (words.some((w) => w.length < NAME_PREFIX_MIN))
      throw searchInvalid(`each word of a name search needs at least ${NAME_PREFIX_MIN} letters`);
    return { kind: 'name', contacts: this.repo.search(tenantId, 'name', bi.nameQuery(query), limit).map((r) => this.open(r)) };
  }
}
