// SIP extensions of a tenant: the number, who may register as it, and how
// far it may call. Passwords are never stored: HA1 = H(user:realm:password)
// once per digest algorithm (RFC 7616 §3.4.2, RFC 8760), with the tenant's
// SIP domain as realm, so a change of sip_domain needs the passwords again.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE extensions (
      id                   INTEGER PRIMARY KEY,
      tenant_id            INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      extension            TEXT NOT NULL CHECK (length(extension) BETWEEN 2 AND 6 AND extension NOT GLOB '*[^0-9]*'
                                               AND extension NOT IN ('112', '101', '102', '103', '104')),
      display_name         TEXT NOT NULL DEFAULT '',
      sip_username         TEXT NOT NULL CHECK (length(sip_username) BETWEEN 1 AND 64),
      ha1_md5              TEXT NOT NULL CHECK (length(ha1_md5) = 32 AND ha1_md5 NOT GLOB '*[^0-9a-f]*'),
      ha1_sha256           TEXT NOT NULL CHECK (length(ha1_sha256) = 64 AND ha1_sha256 NOT GLOB '*[^0-9a-f]*'),
      outbound_permission  TEXT NOT NULL DEFAULT 'internal'
                           CHECK (outbound_permission IN ('internal', 'local', 'national', 'international')),
      enabled              INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      created_at           TEXT NOT NULL,
      updated_at           TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX extensions_number ON extensions(tenant_id, extension);
    CREATE UNIQUE INDEX extensions_username ON extensions(tenant_id, sip_username);
  `);
}
