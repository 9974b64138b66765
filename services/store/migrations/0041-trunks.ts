// SIP trunks of a tenant and inbound DIDs. A trunk either registers to the
// operator (registrar host, port, transport, credentials, expiry) or is
// trusted by source address (ip). The password is sealed by the api's
// SecretBox (AES-256-GCM), never stored in clear: call-control opens it to
// register. A DID's destination is typed (destination_type + destination) so
// IVRs, ring groups and queues plug in later as new types.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE trunks (
      id                 INTEGER PRIMARY KEY,
      tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name               TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      kind               TEXT NOT NULL CHECK (kind IN ('register', 'ip')),
      host               TEXT,
      port               INTEGER NOT NULL DEFAULT 5060 CHECK (port BETWEEN 1 AND 65535),
      transport          TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp', 'tls')),
      username           TEXT,
      password_sealed    TEXT,
      register_expiry    INTEGER NOT NULL DEFAULT 300 CHECK (register_expiry BETWEEN 60 AND 3600),
      addresses          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(addresses) AND json_type(addresses) = 'array'),
      options_interval   INTEGER NOT NULL DEFAULT 30 CHECK (options_interval = 0 OR options_interval BETWEEN 10 AND 300),
      channel_limit      INTEGER NOT NULL DEFAULT 0 CHECK (channel_limit BETWEEN 0 AND 10000),
      outbound_caller_id TEXT NOT NULL DEFAULT '',
      enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      created_at         TEXT NOT NULL,
      updated_at         TEXT NOT NULL,
      CHECK (kind != 'register' OR (host IS NOT NULL AND username IS NOT NULL AND password_sealed IS NOT NULL)),
      CHECK (kind != 'ip' OR json_array_length(addresses) > 0)
    ) STRICT;
    CREATE UNIQUE INDEX trunks_name ON trunks(tenant_id, name);

    CREATE TABLE dids (
      id                INTEGER PRIMARY KEY,
      tenant_id         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      number            TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 3 AND 16 AND ltrim(number, '+') NOT GLOB '*[^0-9]*'),
      trunk_id          INTEGER REFERENCES trunks(id) ON DELETE SET NULL,
      destination_type  TEXT NOT NULL CHECK (destination_type IN ('extension')),
      destination       TEXT NOT NULL,
      created_at        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX dids_tenant ON dids(tenant_id);
  `);
}
