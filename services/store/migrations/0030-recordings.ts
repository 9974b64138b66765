// The recordings vault's index (services/recordings): one row per stored
// recording, the hash chain over stored and deliberately removed files
// (append-only like audit_log), per-tenant retention and quota, the recording
// policy per tenant / extension / trunk, who besides the listening roles may
// play recordings back, and the alarms the recordings service raises.
//
// A recording row is deleted when retention removes its file; the chain keeps
// the removal (file_sha256 NULL), so `korobka doctor` can tell a deliberate
// removal from a file deleted by hand.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE recordings (
      id              TEXT PRIMARY KEY,
      tenant_id       INTEGER NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
      cdr_id          TEXT,
      caller          TEXT,
      callee          TEXT,
      started_at      TEXT NOT NULL,
      duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
      size_bytes      INTEGER NOT NULL CHECK (size_bytes >= 0),
      plain_bytes     INTEGER NOT NULL CHECK (plain_bytes >= 0),
      codec           TEXT NOT NULL CHECK (codec IN ('opus', 'pcm-s16le')),
      media_type      TEXT NOT NULL CHECK (media_type IN ('audio/ogg', 'audio/wav')),
      key_id          TEXT NOT NULL,
      sha256          TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
      path            TEXT NOT NULL UNIQUE,
      legal_hold      INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1)),
      paused_spans    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(paused_spans)),
      channel_source  TEXT NOT NULL CHECK (channel_source IN ('explicit', 'metadata', 'sdp', 'guessed')),
      created_at      TEXT NOT NULL
    ) STRICT;
    CREATE INDEX recordings_tenant_started ON recordings(tenant_id, started_at);
    CREATE INDEX recordings_expiry ON recordings(started_at) WHERE legal_hold = 0;

    CREATE TABLE recording_chain (
      seq          INTEGER PRIMARY KEY,
      recording_id TEXT NOT NULL,
      file_sha256  TEXT,
      time         TEXT NOT NULL,
      prev_hash    TEXT NOT NULL,
      hash         TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE INDEX recording_chain_recording ON recording_chain(recording_id);
    CREATE TRIGGER recording_chain_no_update BEFORE UPDATE ON recording_chain
      BEGIN SELECT RAISE(ABORT, 'recording chain is append-only'); END;
    CREATE TRIGGER recording_chain_no_delete BEFORE DELETE ON recording_chain
      BEGIN SELECT RAISE(ABORT, 'recording chain is append-only'); END;

    CREATE TABLE recording_tenant_settings (
      tenant_id       INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      retention_days  INTEGER CHECK (retention_days BETWEEN 1 AND 36500),
      quota_bytes     INTEGER CHECK (quota_bytes >= 0),
      updated_at      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE recording_policies (
      tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      scope       TEXT NOT NULL CHECK (scope IN ('tenant', 'extension', 'trunk')),
      target      TEXT NOT NULL,
      mode        TEXT NOT NULL CHECK (mode IN ('always', 'never', 'on-demand')),
      updated_at  TEXT NOT NULL,
      CHECK ((scope = 'tenant') = (target = '')),
      PRIMARY KEY (tenant_id, scope, target)
    ) STRICT;

    CREATE TABLE recording_listen_grants (
      user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      granted_by  TEXT NOT NULL,
      granted_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE alarms (
      id          INTEGER PRIMARY KEY,
      code        TEXT NOT NULL,
      severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
      tenant_id   INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
      source      TEXT NOT NULL,
      message     TEXT NOT NULL,
      details     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
      raised_at   TEXT NOT NULL,
      cleared_at  TEXT
    ) STRICT;
    CREATE UNIQUE INDEX alarms_one_active ON alarms(code, coalesce(tenant_id, 0)) WHERE cleared_at IS NULL;
  `);
}
