// Voicemail boxes and their messages (issue 13). A box belongs to an
// extension (its owner's box, reached by forwarding and by the feature
// code) or is shared (extension_id NULL: a group's or a queue's box, reached
// as a call-flow destination). Greetings are prompts of the tenant; a prompt
// a box plays cannot be deleted (ON DELETE RESTRICT, reported as prompt-in-use).
// Messages are vault files (encrypted like recordings, keys under
// keys/voicemail/); the row is written only after the file is complete and
// fsync'd, so a row always has its whole file.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE voicemail_boxes (
      id                    INTEGER PRIMARY KEY,
      tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      number                TEXT NOT NULL CHECK (length(number) BETWEEN 2 AND 6 AND number NOT GLOB '*[^0-9]*'),
      name                  TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      extension_id          INTEGER UNIQUE REFERENCES extensions(id) ON DELETE CASCADE,
      pin_hash              TEXT,
      pin_failures          INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
      locked_until          TEXT,
      greeting_unavailable  INTEGER REFERENCES prompts(id) ON DELETE RESTRICT,
      greeting_busy         INTEGER REFERENCES prompts(id) ON DELETE RESTRICT,
      greeting_name         INTEGER REFERENCES prompts(id) ON DELETE RESTRICT,
      max_message_seconds   INTEGER NOT NULL DEFAULT 180 CHECK (max_message_seconds BETWEEN 5 AND 600),
      max_messages          INTEGER NOT NULL DEFAULT 50 CHECK (max_messages BETWEEN 1 AND 1000),
      email                 TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
      created_at            TEXT NOT NULL,
      updated_at            TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX voicemail_boxes_number ON voicemail_boxes(tenant_id, number);

    CREATE TABLE voicemail_messages (
      id              INTEGER PRIMARY KEY,
      tenant_id       INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      box_id          INTEGER NOT NULL REFERENCES voicemail_boxes(id) ON DELETE CASCADE,
      call_id         TEXT NOT NULL,
      caller          TEXT NOT NULL CHECK (length(caller) <= 64),
      received_at     TEXT NOT NULL,
      duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
      folder          TEXT NOT NULL DEFAULT 'new' CHECK (folder IN ('new', 'saved')),
      file_path       TEXT NOT NULL UNIQUE,
      size_bytes      INTEGER NOT NULL CHECK (size_bytes > 0),
      file_sha256     TEXT NOT NULL CHECK (length(file_sha256) = 64),
      tenant_key_id   TEXT NOT NULL,
      read_at         TEXT
    ) STRICT;
    CREATE INDEX voicemail_messages_box ON voicemail_messages(box_id, folder, received_at);
  `);
}
