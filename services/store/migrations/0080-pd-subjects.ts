// The personal-data store's data subjects (issue 15): a person known by one
// or more phone numbers, each with its own random key wrapped by the tenant's
// PD key (services/pd-store/pd-keys.ts). No number is stored: a subject is
// found by the blind index (keyed HMAC) of its E.164 number.
//
// Erasure (crypto-shredding) sets wrapped_key to NULL and removes the
// subject's numbers; the row stays as the record that it was erased.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE pd_subjects (
      id                 TEXT PRIMARY KEY CHECK (id GLOB 'ps-*'),
      tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
      tenant_key_id      TEXT,
      wrapped_key        BLOB,
      legal_hold         TEXT CHECK (legal_hold IS NULL OR length(legal_hold) BETWEEN 1 AND 500),
      created_at         TEXT NOT NULL,
      erased_at          TEXT,
      CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL)),
      CHECK ((wrapped_key IS NULL) = (tenant_key_id IS NULL))
    ) STRICT;
    CREATE INDEX pd_subjects_tenant ON pd_subjects(tenant_id);

    CREATE TABLE pd_subject_numbers (
      tenant_id    INTEGER NOT NULL,
      number_bidx  BLOB NOT NULL,
      subject_id   TEXT NOT NULL REFERENCES pd_subjects(id) ON DELETE CASCADE,
      PRIMARY KEY (tenant_id, number_bidx)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX pd_subject_numbers_subject ON pd_subject_numbers(subject_id);
  `);
}
