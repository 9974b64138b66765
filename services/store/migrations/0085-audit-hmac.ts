// The audit log's chain becomes keyed (issue 15): rows get a chain version
// (1: the old unkeyed SHA-256 link, 2: HMAC-SHA-256 under the audit key), and
// signed checkpoints get their own append-only table.
//
// A migration has no key, so it cannot recompute the links itself: the old
// rows stay version 1 here and AuditRepo seals them (recomputes prev_hash and
// hash as HMAC links, version 2) the first time it holds the key, after
// checking their old chain, and records the result as an audit row. The
// update trigger allows exactly that step and nothing else.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE audit_log ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1 CHECK (chain_version IN (1, 2));
    ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
    DROP TRIGGER IF EXISTS audit_no_update; -- restored below even where someone had dropped it
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
      WHEN NOT (OLD.chain_version = 1 AND NEW.chain_version = 2
        AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_id IS OLD.actor_id AND NEW.actor = OLD.actor
        AND NEW.tenant_id IS OLD.tenant_id AND NEW.action = OLD.action AND NEW.target = OLD.target
        AND NEW.details = OLD.details AND NEW.ip = OLD.ip AND NEW.outcome = OLD.outcome)
      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

    CREATE TABLE audit_checkpoints (
      id       INTEGER PRIMARY KEY,
      at       TEXT NOT NULL,
      last_id  INTEGER NOT NULL,
      last_mac TEXT NOT NULL,
      key_id   TEXT NOT NULL,
      mac      TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
      BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
  `);
}
