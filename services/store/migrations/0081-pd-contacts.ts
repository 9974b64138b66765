// Contacts of the personal-data store (issue 15). Every personal field is an
// AES-256-GCM ciphertext under the key of the contact's data subject
// (services/pd-store); what is plain is not personal: the kind, the
// responsible manager (a user of the box) and the times. Lookup goes through
// keyed blind indexes (services/pd-store/blind-index.ts) in
// pd_contact_index, never through a plaintext column.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE pd_contacts (
      id               TEXT PRIMARY KEY CHECK (id GLOB 'ct-*'),
      tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
      subject_id       TEXT NOT NULL REFERENCES pd_subjects(id) ON DELETE RESTRICT,
      kind             TEXT NOT NULL CHECK (kind IN ('person', 'company')),
      manager_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
      name_enc         BLOB NOT NULL,
      company_enc      BLOB,
      numbers_enc      BLOB NOT NULL,
      emails_enc       BLOB,
      notes_enc        BLOB,
      custom_enc       BLOB,
      created_at       TEXT NOT NULL,
      updated_at       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX pd_contacts_tenant_updated ON pd_contacts(tenant_id, updated_at);
    CREATE INDEX pd_contacts_subject ON pd_contacts(subject_id);

    CREATE TABLE pd_contact_index (
      tenant_id   INTEGER NOT NULL,
      kind        TEXT NOT NULL CHECK (kind IN ('number', 'last4', 'name')),
      bidx        BLOB NOT NULL,
      contact_id  TEXT NOT NULL REFERENCES pd_contacts(id) ON DELETE CASCADE,
      PRIMARY KEY (tenant_id, kind, bidx, contact_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX pd_contact_index_contact ON pd_contact_index(contact_id);
  `);
}
