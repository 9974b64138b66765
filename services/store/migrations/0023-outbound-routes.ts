// Outbound routes of a tenant, in the order they are tried (first match
// wins; services/call-control/dialplan/outbound-router.ts). Patterns and
// trunk ids are JSON arrays; call-control validates a list as a whole before
// it is stored. The numbering plan (city code …) is a setting,
// `dialplan.numbering`, in the settings table.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE outbound_routes (
      id         INTEGER PRIMARY KEY,
      tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      route_key  TEXT NOT NULL CHECK (length(route_key) BETWEEN 1 AND 64),
      position   INTEGER NOT NULL CHECK (position >= 0),
      name       TEXT NOT NULL DEFAULT '',
      enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      patterns   TEXT NOT NULL CHECK (json_valid(patterns) AND json_type(patterns) = 'array'),
      strip      INTEGER NOT NULL DEFAULT 0 CHECK (strip BETWEEN 0 AND 15),
      prepend    TEXT NOT NULL DEFAULT '',
      trunks     TEXT NOT NULL CHECK (json_valid(trunks) AND json_type(trunks) = 'array' AND json_array_length(trunks) >= 1),
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX outbound_routes_key ON outbound_routes(tenant_id, route_key);
    CREATE UNIQUE INDEX outbound_routes_position ON outbound_routes(tenant_id, position);
  `);
}
