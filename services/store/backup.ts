// The database side of `korobka backup` and `korobka restore`: an online copy
// with SQLite's backup API while call-control goes on writing CDRs, and the
// facts a restore checks about a copy before it is put in place.
import Database from 'better-sqlite3';
import { latestVersion, schemaVersion } from './migrate';
import { migrations } from './migrations';

export interface DatabaseCopy {
  schemaVersion: number;
  pages: number;
}

/**
 * Copies the live database at `source` to `dest` (a new file). SQLite's
 * backup restarts when another connection writes between two steps, and
 * call-control writes CDRs every few milliseconds, so the copy is made in as
 * few steps as the database has pages: one read transaction, which in WAL
 * mode never blocks the writers (calls go on), and a consistent snapshot.
 */
export async function copyDatabaseOnline(source: string, dest: string, onProgress?: (done: number, total: number) => void): Promise<DatabaseCopy> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const result = await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        // Pages per step: everything left, so no write can slip between two steps.
        return Math.max(totalPages, 100);
      },
    });
    onProgress?.(result.totalPages, result.totalPages);
    return { schemaVersion: checkCopy(dest).schemaVersion, pages: result.totalPages };
  } finally {
    db.close();
  }
}

/** Opens a copy read-only, runs SQLite's integrity check and reads its schema version. */
export function checkCopy(file: string): { schemaVersion: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const bad = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (bad.length > 0) throw new Error(`database copy is damaged: ${bad.slice(0, 3).join('; ')}`);
    return { schemaVersion: schemaVersion(db) };
  } finally {
    db.close();
  }
}

/** The schema version this code migrates to: a backup above it comes from a newer Korobka. */
export function codeSchemaVersion(): number {
  return latestVersion(migrations);
}
