// Where phones are registered (RFC 3261 §10.3 bindings), so a restarted
// call-control still reaches every phone instead of waiting up to an hour
// for each to register again. aor is '<tenant id>:<extension>'.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE registrations (
      aor             TEXT NOT NULL CHECK (aor GLOB '[0-9]*:[0-9]*'),
      contact         TEXT NOT NULL CHECK (length(contact) BETWEEN 5 AND 1024),
      expires_at      TEXT NOT NULL,
      call_id         TEXT NOT NULL,
      cseq            INTEGER NOT NULL CHECK (cseq >= 0),
      q               REAL CHECK (q BETWEEN 0 AND 1),
      instance        TEXT,
      source_address  TEXT NOT NULL,
      source_port     INTEGER NOT NULL CHECK (source_port BETWEEN 1 AND 65535),
      transport       TEXT NOT NULL,
      user_agent      TEXT,
      registered_at   TEXT NOT NULL,
      PRIMARY KEY (aor, contact)
    ) STRICT;
    CREATE INDEX registrations_expiry ON registrations(expires_at);
  `);
}
