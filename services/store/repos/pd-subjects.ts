// Data subjects of the personal-data store (migration 0080). Only keys and
// blind indexes live here; services/pd-store makes and opens them.
import type { Db } from '../db';

export interface PdSubjectRow {
  id: string;
  tenantId: number;
  tenantKeyId: string | null;
  wrappedKey: Buffer | null;
  legalHold: string | null;
  createdAt: string;
  erasedAt: string | null;
}

interface Row {
  id: string;
  tenant_id: number;
  tenant_key_id: string | null;
  wrapped_key: Buffer | null;
  legal_hold: string | null;
  created_at: string;
  erased_at: string | null;
}

const toSubject = (r: Row): PdSubjectRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  tenantKeyId: r.tenant_key_id,
  wrappedKey: r.wrapped_key,
  legalHold: r.legal_hold,
  createdAt: r.created_at,
  erasedAt: r.erased_at,
});

export class PdSubjectsRepo {
  constructor(private readonly db: Db) {}

  get(tenantId: number, id: string): PdSubjectRow | undefined {
    const r = this.db.prepare('SELECT * FROM pd_subjects WHERE id = ? AND tenant_id = ?').get(id, tenantId) as Row | undefined;
    return r && toSubject(r);
  }

  /** The subject a number's blind index belongs to. */
  byNumber(tenantId: number, numberBidx: Buffer): PdSubjectRow | undefined {
    const r = this.db
      .prepare('SELECT s.* FROM pd_subject_numbers n JOIN pd_subjects s ON s.id = n.subject_id WHERE n.tenant_id = ? AND n.number_bidx = ?')
      .get(tenantId, numberBidx) as Row | undefined;
    return r && toSubject(r);
  }

  insert(s: { id: string; tenantId: number; tenantKeyId: string; wrappedKey: Buffer; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO pd_subjects (id, tenant_id, tenant_key_id, wrapped_key, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.id, s.tenantId, s.tenantKeyId, s.wrappedKey, s.createdAt);
  }

  /** Links a number to a subject; false when the number already belongs to one. */
  addNumber(tenantId: number, numberBidx: Buffer, subjectId: string): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO pd_subject_numbers (tenant_id, number_bidx, subject_id) VALUES (?, ?, ?)')
        .run(tenantId, numberBidx, subjectId).changes === 1
    );
  }

  numberCount(subjectId: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM pd_subject_numbers WHERE subject_id = ?').get(subjectId) as { n: number }).n;
  }

  setLegalHold(tenantId: number, id: string, reason: string | null): boolean {
    return this.db.prepare('UPDATE pd_subjects SET legal_hold = ? WHERE id = ? AND tenant_id = ?').run(reason, id, tenantId).changes === 1;
  }

  /**
   * Crypto-shredding: the wrapped key and the number links go, the row stays
   * as the record of the erasure. secure_delete makes SQLite overwrite the
   * freed bytes instead of leaving them in free pages.
   */
  shred(tenantId: number, id: string, at: string): boolean {
    this.db.pragma('secure_delete = ON');
    return this.db
      .transaction(() => {
        const n = this.db
          .prepare(
            'UPDATE pd_subjects SET wrapped_key = NULL, tenant_key_id = NULL, erased_at = ? WHERE id = ? AND tenant_id = ? AND wrapped_key IS NOT NULL',
          )
          .run(at, id, tenantId).changes;
        this.db.prepare('DELETE FROM pd_subject_numbers WHERE subject_id = ?').run(id);
        return n === 1;
      })
      .immediate();
  }

  /** From now on this connection overwrites deleted content instead of leaving it in free pages. */
  secureDelete(): void {
    this.db.pragma('secure_delete = ON');
  }

  /** Moves the WAL's pages into the file and truncates it, so no copy of a shredded key stays in the WAL. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  count(tenantId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM pd_subjects WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
  }
}
