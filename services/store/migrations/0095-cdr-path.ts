// The call-flow path in the CDR (issue 11): `path`, the destinations the call
// went through in order, as call-control names them (`notice:5`,
// `list:block:3`, `feature:schedule:1`, `feature:ivr:2`, `extension:304`,
// `refuse:486`), a JSON array of strings like `forwards` (0042); and
// `answered_by`, who took the call (the ring-group member or extension that
// answered, or the outside number of a trunk call), NULL when nobody did or
// only the PBX itself answered (an IVR, an announcement). Rows written before
// this migration keep an empty path and no answerer.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE cdrs ADD COLUMN path TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(path) AND json_type(path) = 'array');
    ALTER TABLE cdrs ADD COLUMN answered_by TEXT CHECK (answered_by IS NULL OR length(answered_by) BETWEEN 1 AND 64);
  `);
}
