// One SQLite connection per process: WAL so readers never block the writer,
// foreign keys on, a busy timeout so two processes sharing the file wait
// instead of failing, and synchronous=FULL because a CDR or an audit row
// that was acknowledged must survive a power cut, not only a killed process.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { migrate, type Migration } from './migrate';
import { migrations } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Override the migration list (tests of a single migration). */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  if (opts.migrate ?? true) migrate(db, opts.migrations ?? migrations);
  return db;
}
