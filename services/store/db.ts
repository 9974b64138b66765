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
  /**
   * How long a write waits for another process's lock (default 5 s).
   * call-control writes on its SIP event loop and uses a much shorter wait.
   */
  busyTimeoutMs?: number;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
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

/**
 * Runs `fn` with a shorter busy wait on this connection. call-control's CDR
 * commits run on its SIP event loop: waiting the default 5 s for another
 * process's write lock would stall every call, so they wait briefly, and a
 * refused commit is spilled and retried by timer (cdr-batch-sink.ts).
 */
export function withBusyTimeout<T>(db: Db, ms: number, fn: () => T): T {
  const before = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(ms))}`);
  try {
    return fn();
  } finally {
    db.pragma(`busy_timeout = ${before}`);
  }
}
