// A data-protection officer role (issue 15): handles data subjects' requests
// (show, export, erase) and nothing else. SQLite cannot alter a CHECK, and
// rebuilding `users` would fire the ON DELETE CASCADE of every table that
// refers to it; widening the allowed values does not change a stored byte, so
// the table's SQL is edited in sqlite_schema (sqlite.org/lang_altertable.html
// §7, "changes that do not affect the on-disk content"), in the migration's
// transaction, and the schema cookie is bumped so every connection re-reads it.
import type Database from 'better-sqlite3';

const OLD = "role IN ('superadmin','tenant-admin','supervisor','auditor','employee')";
const NEW = "role IN ('superadmin','tenant-admin','supervisor','auditor','employee','dpo')";

export function up(db: Database.Database): void {
  const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'users'").get() as { sql: string } | undefined;
  if (!row?.sql.includes(OLD)) throw new Error('0082-dpo-role: the users table does not have the role check this migration widens');
  const version = db.pragma('schema_version', { simple: true }) as number;
  // better-sqlite3 opens in defensive mode; writable_schema needs it off for this one statement.
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'users'").run(row.sql.replace(OLD, NEW));
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
}
