// FMC (issue 14): GSM gateways and operator FMC trunks made from templates,
// their ports, and the SIM inventory. A line-mode port registers as its own
// SIP user, so it keeps HA1 values like an extension (the password is shown
// once and never stored); a trunk-mode port has a DID and a routing prefix.
// A SIM sits in at most one port and belongs to at most one extension; how
// the extension rings its mobile lives with the SIM (ring_mode, ring_delay).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE gateways (
      id                INTEGER PRIMARY KEY,
      tenant_id         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      template          TEXT NOT NULL CHECK (template IN ('goip-line', 'goip-trunk', 'dinstar-dwg', 'yeastar-tg', 'openvox', 'operator-fmc')),
      mode              TEXT NOT NULL CHECK (mode IN ('line', 'trunk', 'operator')),
      host              TEXT,
      sip_port          INTEGER NOT NULL DEFAULT 5060 CHECK (sip_port BETWEEN 1 AND 65535),
      transport         TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp')),
      city_code         TEXT CHECK (city_code IS NULL OR (length(city_code) BETWEEN 3 AND 5 AND city_code NOT GLOB '*[^0-9]*')),
      imei              TEXT CHECK (imei IS NULL OR (length(imei) = 15 AND imei NOT GLOB '*[^0-9]*')),
      settings          TEXT NOT NULL CHECK (json_valid(settings) AND json_type(settings) = 'object'),
      options_interval  INTEGER NOT NULL DEFAULT 30 CHECK (options_interval = 0 OR options_interval BETWEEN 10 AND 300),
      enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      created_at        TEXT NOT NULL,
      updated_at        TEXT NOT NULL,
      CHECK (mode = 'line' OR host IS NOT NULL)
    ) STRICT;
    CREATE UNIQUE INDEX gateways_name ON gateways(tenant_id, name);

    CREATE TABLE gateway_ports (
      id          INTEGER PRIMARY KEY,
      tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      gateway_id  INTEGER NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
      port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 64),
      username    TEXT,
      ha1_md5     TEXT,
      ha1_sha256  TEXT,
      did         TEXT CHECK (did IS NULL OR (length(did) BETWEEN 1 AND 15 AND did NOT GLOB '*[^0-9]*')),
      prefix      TEXT CHECK (prefix IS NULL OR (length(prefix) BETWEEN 1 AND 15 AND prefix NOT GLOB '*[^0-9]*')),
      enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      CHECK ((username IS NULL) = (ha1_md5 IS NULL) AND (username IS NULL) = (ha1_sha256 IS NULL))
    ) STRICT;
    CREATE UNIQUE INDEX gateway_ports_port ON gateway_ports(gateway_id, port);
    CREATE UNIQUE INDEX gateway_ports_username ON gateway_ports(tenant_id, username COLLATE NOCASE) WHERE username IS NOT NULL;

    CREATE TABLE sims (
      id                    INTEGER PRIMARY KEY,
      tenant_id             INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      iccid                 TEXT NOT NULL UNIQUE CHECK (length(iccid) BETWEEN 19 AND 20 AND iccid NOT GLOB '*[^0-9]*'),
      msisdn                TEXT NOT NULL UNIQUE CHECK (msisdn GLOB '+79[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
      operator              TEXT NOT NULL CHECK (operator IN ('mts', 'megafon', 'beeline', 't2', 'yota', 'mcn', 'other')),
      state                 TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'spare', 'blocked', 'retired')),
      gateway_id            INTEGER REFERENCES gateways(id) ON DELETE SET NULL,
      port                  INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 64),
      extension_id          INTEGER UNIQUE REFERENCES extensions(id) ON DELETE SET NULL,
      user_registered       INTEGER NOT NULL DEFAULT 0 CHECK (user_registered IN (0, 1)),
      contract              TEXT NOT NULL DEFAULT '' CHECK (length(contract) <= 128),
      monthly_minute_limit  INTEGER NOT NULL DEFAULT 0 CHECK (monthly_minute_limit BETWEEN 0 AND 100000),
      ring_mode             TEXT NOT NULL DEFAULT 'off' CHECK (ring_mode IN ('off', 'together', 'after', 'no-desk', 'only')),
      ring_delay            INTEGER NOT NULL DEFAULT 10 CHECK (ring_delay BETWEEN 1 AND 120),
      created_at            TEXT NOT NULL,
      updated_at            TEXT NOT NULL
    ) STRICT;
    CREATE INDEX sims_tenant ON sims(tenant_id);
    CREATE UNIQUE INDEX sims_port ON sims(gateway_id, port) WHERE port IS NOT NULL;

    -- A port number only makes sense with its gateway; a gateway's delete
    -- (SET NULL) must take the port with it, which a CHECK cannot do.
    CREATE TRIGGER sims_port_needs_gateway BEFORE INSERT ON sims WHEN NEW.port IS NOT NULL AND NEW.gateway_id IS NULL
      BEGIN SELECT RAISE(ABORT, 'sims: port without gateway'); END;
    CREATE TRIGGER sims_port_needs_gateway_u BEFORE UPDATE ON sims WHEN NEW.port IS NOT NULL AND NEW.gateway_id IS NULL
      BEGIN SELECT RAISE(ABORT, 'sims: port without gateway'); END;
    CREATE TRIGGER gateways_release_sims BEFORE DELETE ON gateways
      BEGIN UPDATE sims SET port = NULL WHERE gateway_id = OLD.id; END;
  `);
}
