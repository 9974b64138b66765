// Call detail records, one row per call (services/call-control/cdr).
// A row appears at answer with status 'in-progress' and owner = the boot id
// of the call-control process; it is completed at hangup, or by recovery
// after a crash ('ended-by-recovery'). Times are ISO-8601 UTC with ms.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE cdrs (
      id                 INTEGER PRIMARY KEY,
      call_id            TEXT NOT NULL UNIQUE,
      tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
      direction          TEXT NOT NULL CHECK (direction IN ('internal', 'inbound', 'outbound')),
      caller_dialled     TEXT NOT NULL,
      caller_number      TEXT NOT NULL,
      callee_dialled     TEXT NOT NULL,
      callee_number      TEXT NOT NULL,
      extension          TEXT,
      trunk              TEXT,
      started_at         TEXT NOT NULL,
      ringing_at         TEXT,
      early_media_at     TEXT,
      answered_at        TEXT,
      ended_at           TEXT,
      duration_seconds   INTEGER NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
      billable_seconds   INTEGER NOT NULL DEFAULT 0 CHECK (billable_seconds >= 0),
      disposition        TEXT CHECK (disposition IN ('answered', 'busy', 'no-answer', 'failed', 'cancelled', 'refused-by-licence')),
      hangup_side        TEXT CHECK (hangup_side IN ('caller', 'callee', 'system')),
      hangup_sip_status  INTEGER CHECK (hangup_sip_status BETWEEN 100 AND 699),
      hangup_reason      TEXT,
      transfers          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(transfers)),
      status             TEXT NOT NULL CHECK (status IN ('in-progress', 'completed', 'ended-by-recovery')),
      last_seen_at       TEXT NOT NULL,
      owner              TEXT NOT NULL DEFAULT '',
      CHECK ((status = 'in-progress') = (ended_at IS NULL)),
      CHECK (status = 'in-progress' OR (disposition IS NOT NULL AND hangup_side IS NOT NULL))
    ) STRICT;
    CREATE INDEX cdrs_tenant_started ON cdrs(tenant_id, started_at);
    CREATE INDEX cdrs_in_progress ON cdrs(owner) WHERE status = 'in-progress';
  `);
}
