// What `korobka selftest` measured on this box (issue 18): when, quick or
// full, the three figures (call set-up rate with media, calls held at once
// with media relayed both ways, recordings conversion rate), the licence
// profile they honour with the margin (licensing/capacity-fit.ts; NULL: not
// even eval), the machine it ran on and every figure as JSON. The licence
// page shows the last run, and the activation request carries it for the
// vendor's sizing.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE selftest_runs (
      id                       INTEGER PRIMARY KEY,
      ran_at                   TEXT NOT NULL,
      mode                     TEXT NOT NULL CHECK (mode IN ('quick', 'full')),
      profile                  TEXT CHECK (profile IS NULL OR profile IN ('eval', 'S', 'M', 'L', 'XL')),
      calls_per_second         REAL NOT NULL CHECK (calls_per_second >= 0),
      held_calls               INTEGER NOT NULL CHECK (held_calls >= 0),
      audio_seconds_per_second REAL NOT NULL CHECK (audio_seconds_per_second >= 0),
      app_version              TEXT NOT NULL,
      machine                  TEXT NOT NULL CHECK (json_valid(machine)),
      details                  TEXT NOT NULL CHECK (json_valid(details))
    ) STRICT;
  `);
}
