// Prompts of a tenant: uploaded audio, text-to-speech and music on hold.
// Each is stored as two G.711 WAV files (A-law and µ-law, 8 kHz mono) that
// rtpengine's `play media` reads; the paths are relative to the data
// directory so a restored backup in another place still finds them.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE prompts (
      id           INTEGER PRIMARY KEY,
      tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      language     TEXT NOT NULL CHECK (language IN ('ru', 'en')),
      kind         TEXT NOT NULL CHECK (kind IN ('upload', 'tts', 'moh')),
      text         TEXT CHECK (text IS NULL OR length(text) BETWEEN 1 AND 2000),
      source       TEXT NOT NULL CHECK (source IN ('wav', 'mp3', 'ogg', 'espeak-ng')),
      alaw_path    TEXT NOT NULL,
      ulaw_path    TEXT NOT NULL,
      duration_ms  INTEGER NOT NULL CHECK (duration_ms > 0),
      size_bytes   INTEGER NOT NULL CHECK (size_bytes > 0),
      created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
      created_at   TEXT NOT NULL,
      updated_at   TEXT NOT NULL,
      CHECK ((kind = 'tts') = (text IS NOT NULL)),
      CHECK ((kind = 'tts') = (source = 'espeak-ng'))
    ) STRICT;
    CREATE UNIQUE INDEX prompts_name ON prompts(tenant_id, name);
  `);
}
