// Contacts of the personal-data store (migration 0081): sealed fields and
// blind-index rows only. services/pd-store seals and opens them.
import type { Db } from '../db';

export const contactKinds = ['person', 'company'] as const;
export type ContactKind = (typeof contactKinds)[number];
export type ContactIndexKind = 'number' | 'last4' | 'name';

export interface SealedContact {
  id: string;
  tenantId: number;
  subjectId: string;
  kind: ContactKind;
  managerUserId: number | null;
  name: Buffer;
  company: Buffer | null;
  numbers: Buffer;
  emails: Buffer | null;
  notes: Buffer | null;
  custom: Buffer | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactIndexEntry {
  kind: ContactIndexKind;
  bidx: Buffer;
}

interface Row {
  id: string;
  tenant_id: number;
  subject_id: string;
  kind: ContactKind;
  manager_user_id: number | null;
  name_enc: Buffer;
  company_enc: Buffer | null;
  numbers_enc: Buffer;
  emails_enc: Buffer | null;
  notes_enc: Buffer | null;
  custom_enc: Buffer | null;
  created_at: string;
  updated_at: string;
}

const toContact = (r: Row): SealedContact => ({
  id: r.id,
  tenantId: r.tenant_id,
  subjectId: r.subject_id,
  kind: r.kind,
  managerUserId: r.manager_user_id,
  name: r.name_enc,
  company: r.company_enc,
  numbers: r.numbers_enc,
  emails: r.emails_enc,
  notes: r.notes_enc,
  custom: r.custom_enc,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const params = (c: SealedContact) => ({
  id: c.id,
  tenant_id: c.tenantId,
  subject_id: c.subjectId,
  kind: c.kind,
  manager_user_id: c.managerUserId,
  name_enc: c.name,
  company_enc: c.company,
  numbers_enc: c.numbers,
  emails_enc: c.emails,
  notes_enc: c.notes,
  custom_enc: c.custom,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

export class PdContactsRepo {
  constructor(private readonly db: Db) {}

  get(tenantId: number, id: string): SealedContact | undefined {
    const r = this.db.prepare('SELECT * FROM pd_contacts WHERE id = ? AND tenant_id = ?').get(id, tenantId) as Row | undefined;
    return r && toContact(r);
  }

  /** Newest first. */
  list(tenantId: number, limit: number, offset: number): { rows: SealedContact[]; total: number } {
    const total = (this.db.prepare('SELECT count(*) AS n FROM pd_contacts WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
    const rows = this.db
      .prepare('SELECT * FROM pd_contacts WHERE tenant_id = ? ORDER BY updated_at DESC, id LIMIT ? OFFSET ?')
      .all(tenantId, limit, offset) as Row[];
    return { rows: rows.map(toContact), total };
  }

  bySubject(tenantId: number, subjectId: string): SealedContact[] {
    return (
      this.db
        .prepare('SELECT * FROM pd_contacts WHERE tenant_id = ? AND subject_id = ? ORDER BY created_at, id')
        .all(tenantId, subjectId) as Row[]
    ).map(toContact);
  }

  /** Contacts whose index holds every one of `all` (one kind), newest first. */
  search(tenantId: number, kind: ContactIndexKind, all: Buffer[], limit: number): SealedContact[] {
    if (all.length === 0) return [];
    const [first, ...rest] = all;
    const more = rest
      .map(
        () =>
          'AND EXISTS (SELECT 1 FROM pd_contact_index j WHERE j.tenant_id = i.tenant_id AND j.kind = i.kind AND j.bidx = ? AND j.contact_id = i.contact_id)',
      )
      .join(' ');
    const rows = this.db
      .prepare(
        `SELECT c.* FROM pd_contact_index i JOIN pd_contacts c ON c.id = i.contact_id WHERE i.tenant_id = ? AND i.kind = ? AND i.bidx = ? ${more} ORDER BY c.updated_at DESC LIMIT ?`,
      )
      .all(tenantId, kind, first, ...rest, limit) as Row[];
    return rows.map(toContact);
  }

  insert(c: SealedContact, index: ContactIndexEntry[]): void {
    this.db
      .prepare(
        `INSERT INTO pd_contacts (id, tenant_id, subject_id, kind, manager_user_id, name_enc, company_enc, numbers_enc, emails_enc, notes_enc, custom_enc, created_at, updated_at)
         VALUES (@id, @tenant_id, @subject_id, @kind, @manager_user_id, @name_enc, @company_enc, @numbers_enc, @emails_enc, @notes_enc, @custom_enc, @created_at, @updated_at)`,
      )
      .run(params(c));
    this.setIndex(c.tenantId, c.id, index);
  }

  update(c: SealedContact, index: ContactIndexEntry[]): boolean {
    const n = this.db
      .prepare(
        `UPDATE pd_contacts SET kind = @kind, manager_user_id = @manager_user_id, name_enc = @name_enc, company_enc = @company_enc, numbers_enc = @numbers_enc,
           emails_enc = @emails_enc, notes_enc = @notes_enc, custom_enc = @custom_enc, updated_at = @updated_at WHERE id = @id AND tenant_id = @tenant_id`,
      )
      .run(params(c)).changes;
    if (n === 1) this.setIndex(c.tenantId, c.id, index);
    return n === 1;
  }

  private setIndex(tenantId: number, contactId: string, index: ContactIndexEntry[]): void {
    this.db.prepare('DELETE FROM pd_contact_index WHERE contact_id = ?').run(contactId);
    const ins = this.db.prepare('INSERT OR IGNORE INTO pd_contact_index (tenant_id, kind, bidx, contact_id) VALUES (?, ?, ?, ?)');
    for (const e of index) ins.run(tenantId, e.kind, e.bidx, contactId);
  }

  delete(tenantId: number, id: string): boolean {
    return this.db.prepare('DELETE FROM pd_contacts WHERE id = ? AND tenant_id = ?').run(id, tenantId).changes === 1;
  }

  /** Erasure: a subject's contacts and their index rows go (the sealed fields are noise by then anyway). */
  deleteBySubject(tenantId: number, subjectId: string): number {
    return this.db.prepare('DELETE FROM pd_contacts WHERE tenant_id = ? AND subject_id = ?').run(tenantId, subjectId).changes;
  }
}
