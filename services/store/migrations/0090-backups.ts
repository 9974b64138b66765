// Backups the appliance made or was asked to make: each run of `korobka
// backup` started by the schedule or from the admin page, its progress while
// it runs, the archive it wrote (name, size, SHA-256) and whether it was
// verified since. The archives themselves are files in the target directory.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE backups (
      id             INTEGER PRIMARY KEY,
      trigger        TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
      state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ok', 'failed', 'removed')),
      requested_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
      requested_at   TEXT NOT NULL,
      started_at     TEXT,
      finished_at    TEXT,
      target_dir     TEXT,
      file_name      TEXT CHECK (file_name IS NULL OR (file_name NOT LIKE '%/%' AND file_name LIKE 'korobka-backup-%.tar')),
      bytes          INTEGER CHECK (bytes IS NULL OR bytes >= 0),
      sha256         TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
      app_version    TEXT,
      schema_version INTEGER,
      phase          TEXT CHECK (phase IS NULL OR phase IN ('database', 'files', 'verify')),
      progress_done  INTEGER NOT NULL DEFAULT 0,
      progress_total INTEGER NOT NULL DEFAULT 0,
      error_code     TEXT,
      error_message  TEXT,
      verify_state   TEXT CHECK (verify_state IS NULL OR verify_state IN ('queued', 'running', 'ok', 'failed')),
      verified_at    TEXT,
      verify_error   TEXT,
      runner_pid     INTEGER,
      CHECK ((state = 'ok') = (file_name IS NOT NULL AND finished_at IS NOT NULL AND error_code IS NULL) OR state = 'removed')
    ) STRICT;
    CREATE INDEX backups_state ON backups(state, finished_at);
    CREATE UNIQUE INDEX backups_one_active ON backups(state IN ('queued', 'running')) WHERE state IN ('queued', 'running');
  `);
}
