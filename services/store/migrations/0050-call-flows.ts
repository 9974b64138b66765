// Call flows: ring groups, IVR menus, schedules, announcements, black/white
// lists with their entries, per-DID/route/queue recording notices, the
// round-robin memory of ring groups, and DIDs that may point at any
// destination. Each flow object keeps its validated config as JSON (the api
// checks it with services/call-flows before writing; call-control parses it
// again when it runs): its members, options, branches and holidays are read
// and written as a whole. List entries are rows, so call-control can look a
// caller up by index among thousands of numbers.
//
// dids is rebuilt (SQLite cannot widen a CHECK): destination_type now takes
// every destination type and 'main' (the tenant's main destination);
// `destination` keeps the bare extension number for 'extension' (as 0041
// stored it) and the destination as JSON for the others.
import type Database from 'better-sqlite3';

const flowTable = (name: string) => `
    CREATE TABLE ${name} (
      id          INTEGER PRIMARY KEY,
      tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      config      TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX ${name}_name ON ${name}(tenant_id, name);`;

export function up(db: Database.Database): void {
  db.exec(`
    ${flowTable('ring_groups')}
    ${flowTable('ivr_menus')}
    ${flowTable('schedules')}
    ${flowTable('announcements')}
    ${flowTable('call_lists')}

    CREATE TABLE call_list_entries (
      list_id   INTEGER NOT NULL REFERENCES call_lists(id) ON DELETE CASCADE,
      position  INTEGER NOT NULL,
      match     TEXT NOT NULL CHECK (match IN ('number', 'prefix', 'anonymous')),
      value     TEXT NOT NULL,
      note      TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (list_id, position)
    ) STRICT;
    CREATE INDEX call_list_entries_value ON call_list_entries(value);

    CREATE TABLE ring_group_memory (
      group_id        INTEGER PRIMARY KEY REFERENCES ring_groups(id) ON DELETE CASCADE,
      last_extension  TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE recording_notices (
      tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      scope       TEXT NOT NULL CHECK (scope IN ('did', 'route', 'queue')),
      ref         TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 64),
      config      TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
      updated_at  TEXT NOT NULL,
      PRIMARY KEY (tenant_id, scope, ref)
    ) STRICT;

    CREATE TABLE dids_new (
      id                INTEGER PRIMARY KEY,
      tenant_id         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      number            TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 3 AND 16 AND ltrim(number, '+') NOT GLOB '*[^0-9]*'),
      trunk_id          INTEGER REFERENCES trunks(id) ON DELETE SET NULL,
      destination_type  TEXT NOT NULL CHECK (destination_type IN ('extension', 'external', 'hangup', 'feature', 'main')),
      destination       TEXT NOT NULL,
      created_at        TEXT NOT NULL,
      CHECK (destination_type IN ('extension', 'main') OR json_valid(destination))
    ) STRICT;
    INSERT INTO dids_new (id, tenant_id, number, trunk_id, destination_type, destination, created_at)
      SELECT id, tenant_id, number, trunk_id, destination_type, destination, created_at FROM dids;
    DROP TABLE dids;
    ALTER TABLE dids_new RENAME TO dids;
    CREATE INDEX dids_tenant ON dids(tenant_id);
  `);
}
