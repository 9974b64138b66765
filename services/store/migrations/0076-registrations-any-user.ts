// Bindings of GSM gateway ports (issue 14): a line-mode port registers as
// its own SIP user, whose name is not an extension number ('goip-1'), so the
// AOR check of 0022 ('<tenant>:<digits…>') is widened to '<tenant>:<user>'.
// SQLite cannot alter a CHECK: the table is rebuilt with its rows.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE registrations_new (
      aor             TEXT NOT NULL CHECK (aor GLOB '[0-9]*:?*' AND length(aor) <= 96),
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
    INSERT INTO registrations_new SELECT aor, contact, expires_at, call_id, cseq, q, instance, source_address, source_port, transport, user_agent, registered_at FROM registrations;
    DROP TABLE registrations;
    ALTER TABLE registrations_new RENAME TO registrations;
    CREATE INDEX registrations_expiry ON registrations(expires_at);
  `);
}
