// CDR parties sealed by the personal-data store (issue 15): the number
// columns of `cdrs` now hold `pd1:…` ciphertexts (services/store/repos/pd-fields.ts),
// so search by number goes through keyed blind indexes of each party's E.164
// number instead: `caller_bidx`, `callee_bidx` (NULL for an extension, a
// service code or a value that is not a full number). `answered_by_sealed`
// holds a sealed answerer (a trunk call's outside number): the plain
// `answered_by` keeps its 64-character check for extensions.
// Existing plain rows are sealed by the process that holds the keys at its
// start (services/pd-store/pd-scrub.ts), which then VACUUMs with
// secure_delete so no plain copy stays in free pages.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE cdrs ADD COLUMN caller_bidx BLOB;
    ALTER TABLE cdrs ADD COLUMN callee_bidx BLOB;
    ALTER TABLE cdrs ADD COLUMN answered_by_sealed TEXT;
    CREATE INDEX cdrs_caller_bidx ON cdrs(tenant_id, caller_bidx) WHERE caller_bidx IS NOT NULL;
    CREATE INDEX cdrs_callee_bidx ON cdrs(tenant_id, callee_bidx) WHERE callee_bidx IS NOT NULL;
  `);
}
