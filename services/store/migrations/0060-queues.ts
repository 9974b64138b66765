// Call queues (issue 12). `queues` keeps each queue's validated config as
// JSON like the other call-flow objects (migration 0050). `queue_agents`
// is an agent's standing in a queue that outlives a call: logged in or out
// (dynamic members; static ones are logged in without a row), paused and
// why, and what the strategies remember (calls answered, when the last one
// ended) so a restart does not reset fewest-calls or longest-idle.
// `queue_calls` is one row per caller who entered a queue (app_queue's
// queue_log in row form): when they entered, whether and when an agent
// answered, how it ended. Service-level counters and the expected wait are
// computed from it; `cdr_id` ties the row to the call's CDR, so the CDR's
// call carries its queue wait.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE queues (
      id          INTEGER PRIMARY KEY,
      tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      config      TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX queues_name ON queues(tenant_id, name);

    CREATE TABLE queue_agents (
      queue_id       INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
      extension      TEXT NOT NULL CHECK (length(extension) BETWEEN 2 AND 6),
      logged_in      INTEGER NOT NULL CHECK (logged_in IN (0, 1)),
      paused         INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
      pause_reason   TEXT NOT NULL DEFAULT '' CHECK (length(pause_reason) <= 64),
      calls          INTEGER NOT NULL DEFAULT 0 CHECK (calls >= 0),
      missed         INTEGER NOT NULL DEFAULT 0 CHECK (missed >= 0),
      last_call_end  INTEGER,
      updated_at     TEXT NOT NULL,
      PRIMARY KEY (queue_id, extension)
    ) STRICT;

    CREATE TABLE queue_calls (
      id           INTEGER PRIMARY KEY,
      tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      queue_id     INTEGER NOT NULL,
      cdr_id       TEXT NOT NULL,
      caller       TEXT NOT NULL DEFAULT '',
      entered_at   INTEGER NOT NULL,
      position     INTEGER NOT NULL CHECK (position >= 1),
      outcome      TEXT NOT NULL DEFAULT 'waiting' CHECK (outcome IN ('waiting', 'answered', 'abandoned', 'timeout', 'full', 'empty', 'lost')),
      agent        TEXT,
      answered_at  INTEGER,
      ended_at     INTEGER,
      announced    INTEGER NOT NULL DEFAULT 0 CHECK (announced >= 0)
    ) STRICT;
    CREATE INDEX queue_calls_queue ON queue_calls(queue_id, entered_at);
    CREATE INDEX queue_calls_cdr ON queue_calls(cdr_id);
  `);
}
