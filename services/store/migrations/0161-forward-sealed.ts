// Forward targets sealed by the personal-data store (issue 15): a forward to
// an outside number (often an employee's private mobile) is kept as a
// `pd1:…` ciphertext in `forward_sealed`, a JSON object by column name
// (`{"forward_no_answer": "pd1:…"}`), with the plain column NULL; a forward
// to another extension stays in its plain column (0040's 16-character checks
// would refuse a ciphertext, and SQLite cannot change a CHECK in place).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`ALTER TABLE extension_features ADD COLUMN forward_sealed TEXT CHECK (forward_sealed IS NULL OR (json_valid(forward_sealed) AND json_type(forward_sealed) = 'object'))`);
}
