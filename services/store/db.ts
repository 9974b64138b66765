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
  cachePreparedStatements(db);
  if (opts.migrate ?? true) migrate(db, opts.migrations ?? migrations);
  return db;
}

const STATEMENT_CACHE_SIZE = 512;

/**
 * The repositories call db.prepare(sql) on every use; compiling the SQL each
 * time was an eighth of call-control's CPU per call (bench/calls,
 * --cpu-prof). Statements are reusable (SQLite recompiles one itself after a
 * schema change), so each distinct SQL text is compiled once; a statement
 * still being iterated is never handed out twice, and past 512 distinct
 * texts (SQL built per request) preparing is uncached as before.
 */
function cachePreparedStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) return hit;
    const stmt = prepare(sql);
    if (!hit && cache.size < STATEMENT_CACHE_SIZE) cache.set(sql, stmt);
    return stmt;
  }) as Db['prepare'];
}
