// Call forwarding in the CDR: the forwards a call took on its way to the
// phone that answered (or failed), in order, as a JSON array like
// `transfers` (0021): [{at, from, to, reason}] with at in ISO-8601 UTC and
// reason one of always / busy / no-answer / unreachable. One column on
// call-control's `cdrs` rather than a table: a call has at most a few
// forwards (call-control stops a chain after three), and they are read with
// the call, never on their own.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`ALTER TABLE cdrs ADD COLUMN forwards TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(forwards) AND json_type(forwards) = 'array')`);
}
