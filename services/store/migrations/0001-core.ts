// Tenants, admin users and their sessions, settings, and the append-only,
// hash-chained audit log.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE tenants (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      sip_domain  TEXT NOT NULL UNIQUE COLLATE NOCASE,
      is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
      created_at  TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX tenants_one_default ON tenants(is_default) WHERE is_default = 1;

    CREATE TABLE users (
      id                    INTEGER PRIMARY KEY,
      tenant_id             INTEGER REFERENCES tenants(id) ON DELETE RESTRICT,
      username              TEXT NOT NULL UNIQUE COLLATE NOCASE,
      display_name          TEXT NOT NULL DEFAULT '',
      role                  TEXT NOT NULL CHECK (role IN ('superadmin','tenant-admin','supervisor','auditor','employee')),
      password_hash         TEXT NOT NULL,
      must_change_password  INTEGER NOT NULL DEFAULT 0,
      disabled              INTEGER NOT NULL DEFAULT 0,
      failed_logins         INTEGER NOT NULL DEFAULT 0,
      locked_until          TEXT,
      created_at            TEXT NOT NULL,
      password_changed_at   TEXT NOT NULL,
      CHECK ((role = 'superadmin') = (tenant_id IS NULL) OR role = 'auditor')
    ) STRICT;
    CREATE INDEX users_tenant ON users(tenant_id);

    CREATE TABLE sessions (
      id_hash     TEXT PRIMARY KEY,
      user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token  TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      expires_at  TEXT NOT NULL,
      ip          TEXT NOT NULL DEFAULT '',
      user_agent  TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE settings (
      tenant_id  INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
      key        TEXT NOT NULL,
      value      TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX settings_key ON settings(coalesce(tenant_id, 0), key);

    CREATE TABLE audit_log (
      id          INTEGER PRIMARY KEY,
      at          TEXT NOT NULL,
      actor_id    INTEGER,
      actor       TEXT NOT NULL,
      tenant_id   INTEGER,
      action      TEXT NOT NULL,
      target      TEXT NOT NULL DEFAULT '',
      details     TEXT NOT NULL DEFAULT '{}',
      ip          TEXT NOT NULL DEFAULT '',
      outcome     TEXT NOT NULL DEFAULT 'ok',
      prev_hash   TEXT NOT NULL,
      hash        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_tenant_at ON audit_log(tenant_id, at);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
  `);
}
