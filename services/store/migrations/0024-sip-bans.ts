// Sources banned for SIP authentication failures (call-control's BanList):
// shared by call-control, which bans, and the api, which lists and lifts.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE sip_bans (
      ip             TEXT PRIMARY KEY CHECK (length(ip) BETWEEN 2 AND 45),
      since          TEXT NOT NULL,
      until          TEXT NOT NULL,
      reason         TEXT NOT NULL,
      failures       INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
      offences       INTEGER NOT NULL DEFAULT 0 CHECK (offences >= 0),
      last_username  TEXT,
      CHECK (until > since)
    ) STRICT;
    CREATE INDEX sip_bans_until ON sip_bans(until);
  `);
}
