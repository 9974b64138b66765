// Extension features the admin API manages and call-control's 0020 table
// lacks: caller ID, DND, call forwarding and the link to the employee's user.
// A 1:1 table keyed by extension id rather than ALTER TABLE ADD COLUMN on
// `extensions`: that table belongs to call-control (migrations 0020–0029),
// a separate table keeps the two owners' schema changes apart, and
// ON DELETE CASCADE removes the features with their extension.
// Forward targets are another extension of the tenant or an external number
// (digits with an optional leading +); the api checks which.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE extension_features (
      extension_id          INTEGER PRIMARY KEY REFERENCES extensions(id) ON DELETE CASCADE,
      user_id               INTEGER REFERENCES users(id) ON DELETE SET NULL,
      caller_id_name        TEXT NOT NULL DEFAULT '' CHECK (length(caller_id_name) <= 64),
      caller_id_number      TEXT NOT NULL DEFAULT '' CHECK (caller_id_number = '' OR (length(caller_id_number) BETWEEN 2 AND 16
                                                          AND ltrim(caller_id_number, '+') NOT GLOB '*[^0-9]*')),
      dnd                   INTEGER NOT NULL DEFAULT 0 CHECK (dnd IN (0, 1)),
      forward_always        TEXT CHECK (forward_always IS NULL OR length(forward_always) BETWEEN 2 AND 16),
      forward_busy          TEXT CHECK (forward_busy IS NULL OR length(forward_busy) BETWEEN 2 AND 16),
      forward_no_answer     TEXT CHECK (forward_no_answer IS NULL OR length(forward_no_answer) BETWEEN 2 AND 16),
      no_answer_seconds     INTEGER NOT NULL DEFAULT 20 CHECK (no_answer_seconds BETWEEN 5 AND 120),
      forward_unreachable   TEXT CHECK (forward_unreachable IS NULL OR length(forward_unreachable) BETWEEN 2 AND 16),
      updated_at            TEXT NOT NULL
    ) STRICT;
    CREATE INDEX extension_features_user ON extension_features(user_id) WHERE user_id IS NOT NULL;
  `);
}
