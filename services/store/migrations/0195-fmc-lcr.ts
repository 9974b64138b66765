// FMC least-cost routing (issue 14): which operator a mobile number belongs
// to, from the numbering plan's DEF ranges an admin imports (the registry of
// the Russian numbering plan, opendata.digital.gov.ru DEF-9xx.csv), and which
// calls went out through which SIM, so a SIM's minutes this month are summed
// from the CDRs of those calls (billable seconds) and its monthly limit holds.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE number_ranges (
      id           INTEGER PRIMARY KEY,
      tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      -- Whole E.164 numbers without '+', first and last of the range: 79160000000 … 79169999999.
      first_number INTEGER NOT NULL CHECK (first_number BETWEEN 70000000000 AND 79999999999),
      last_number  INTEGER NOT NULL CHECK (last_number BETWEEN first_number AND 79999999999),
      operator     TEXT NOT NULL CHECK (operator IN ('mts', 'megafon', 'beeline', 't2', 'yota', 'mcn', 'other')),
      -- The operator and region as the registry writes them, for the admin's eye.
      operator_name TEXT NOT NULL CHECK (length(operator_name) <= 256),
      region       TEXT NOT NULL CHECK (length(region) <= 256)
    ) STRICT;
    CREATE INDEX number_ranges_lookup ON number_ranges(tenant_id, first_number);

    CREATE TABLE sim_calls (
      call_id    TEXT NOT NULL,
      tenant_id  INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      sim_id     INTEGER NOT NULL REFERENCES sims(id) ON DELETE CASCADE,
      started_at TEXT NOT NULL,
      PRIMARY KEY (call_id, sim_id)
    ) STRICT;
    CREATE INDEX sim_calls_sim ON sim_calls(sim_id, started_at);
  `);
}
