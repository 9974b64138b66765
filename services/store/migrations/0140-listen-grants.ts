// Listening to recordings becomes a grant held by a person, given by two
// (issue 16 item 9): a tenant admin could create a supervisor — or reset one's
// password — and listen as them; a superadmin could create a global auditor
// and hear every tenant. Now every role but an employee (who hears only their
// own calls) needs a grant; a grant is asked for by one person and takes
// effect when a second, a superadmin, approves it; it lasts a set number of
// days. A row is pending while `requested_at` is set, active while
// `expires_at` is in the future; both at once is a renewal under way.
//
// Grants given before this migration stay, for 90 days, as does listening by
// the supervisors and auditors that exist now (granted by 'migration 0140'),
// so an upgrade does not cut off a call centre's quality control overnight;
// each is in the grants list to be confirmed or revoked.
import type Database from 'better-sqlite3';

export function up(db: Database.Database, now = new Date()): void {
  const until = new Date(now.getTime() + 90 * 86_400_000).toISOString();
  db.exec(`
    CREATE TABLE recording_listen_grants_new (
      user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      requested_by  TEXT,
      requested_at  TEXT,
      request_days  INTEGER CHECK (request_days IS NULL OR request_days BETWEEN 1 AND 365),
      reason        TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
      granted_by    TEXT,
      granted_at    TEXT,
      expires_at    TEXT,
      CHECK ((granted_by IS NULL) = (granted_at IS NULL) AND (granted_at IS NULL) = (expires_at IS NULL)),
      CHECK ((requested_at IS NULL) = (request_days IS NULL)),
      CHECK (requested_at IS NULL OR requested_by IS NOT NULL),
      CHECK (requested_at IS NOT NULL OR granted_at IS NOT NULL)
    ) STRICT;
  `);
  db.prepare(
    `INSERT INTO recording_listen_grants_new (user_id, requested_by, reason, granted_by, granted_at, expires_at)
     SELECT user_id, granted_by, 'granted before four-eyes approval (migration 0140)', granted_by, granted_at, ? FROM recording_listen_grants`,
  ).run(until);
  db.prepare(
    `INSERT OR IGNORE INTO recording_listen_grants_new (user_id, requested_by, reason, granted_by, granted_at, expires_at)
     SELECT id, 'migration 0140', 'listened by role before grants (migration 0140)', 'migration 0140', ?, ? FROM users
     WHERE role IN ('supervisor', 'auditor') AND disabled = 0`,
  ).run(now.toISOString(), until);
  db.exec(`
    DROP TABLE recording_listen_grants;
    ALTER TABLE recording_listen_grants_new RENAME TO recording_listen_grants;
  `);
}
