// The shape every migration test takes (Signal's): a real database file
// migrated to the version before, rows written in that version's schema,
// then migrated to the version under test. Closed and removed after each test.
import path from 'node:path';
import { afterEach } from 'vitest';
import { migrate, migrations, openDatabase, type Db } from '../../services/store';
import { tempDir } from './tmp';

/** Call at the top of a test file; `at(from, to, seed)` gives a database migrated from → seed → to. */
export function migrationDb(prefix: string): { at(from: number, to: number, seed?: (db: Db) => void): Db } {
  let open: { db: Db; cleanup: () => void } | undefined;
  afterEach(() => {
    open?.db.close();
    open?.cleanup();
    open = undefined;
  });
  return {
    at(from, to, seed) {
      const t = tempDir(prefix);
      const db = openDatabase(path.join(t.dir, 'korobka.db'), { migrate: false });
      open = { db, cleanup: t.cleanup };
      migrate(db, migrations, from);
      seed?.(db);
      migrate(db, migrations, to);
      return db;
    },
  };
}
