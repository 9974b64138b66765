// Migrations by PRAGMA user_version: every pending step runs in one
// transaction, so a failure leaves the database exactly as it was. A
// database written by a newer Korobka is refused rather than guessed at.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export class DatabaseTooNewError extends Error {
  constructor(readonly dbVersion: number, readonly codeVersion: number) {
    super(
      `database schema version ${dbVersion} is newer than this Korobka understands (${codeVersion}); ` +
        'install the newer release or restore a backup made by this one',
    );
    this.name = 'DatabaseTooNewError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(list: readonly Migration[]): number {
  return list.reduce((max, m) => Math.max(max, m.version), 0);
}

/** Applies migrations above the current version, up to `target` (default: all). */
export function migrate(db: Database.Database, list: readonly Migration[], target = latestVersion(list)): number {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  // Versions are the file numbers (0001, 0020, …): increasing, gaps allowed,
  // so areas can reserve ranges; a duplicate is a programming error.
  sorted.forEach((m, i) => {
    if (i > 0 && m.version === sorted[i - 1]!.version) throw new Error(`duplicate migration version ${m.version} (${m.name})`);
  });
  const current = schemaVersion(db);
  if (current > latestVersion(list)) throw new DatabaseTooNewError(current, latestVersion(list));
  const pending = sorted.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) m.up(db);
    db.pragma(`user_version = ${pending[pending.length - 1]!.version}`);
  }).immediate();
  return schemaVersion(db);
}
