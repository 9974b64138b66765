import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, migrate, migrations, schemaVersion, latestVersion, DatabaseTooNewError, type Migration } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);
const file = (name: string) => path.join(t.dir, name);

const v1: Migration = { version: 1, name: 'people', up: (db) => db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT') };
const v2: Migration = { version: 2, name: 'people-phone', up: (db) => db.exec("ALTER TABLE people ADD COLUMN phone TEXT NOT NULL DEFAULT ''") };
const broken: Migration = { version: 3, name: 'broken', up: (db) => db.exec('CREATE TABLE x (a INTEGER); SELECT * FROM no_such_table') };

describe('migrations', () => {
  it('migrates N-1 → N keeping the rows', () => {
    const db = openDatabase(file('n1.db'), { migrations: [v1] });
    db.prepare('INSERT INTO people (name) VALUES (?), (?)').run('Anna', 'Boris');
    expect(schemaVersion(db)).toBe(1);
    migrate(db, [v1, v2]);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT name, phone FROM people ORDER BY id').all()).toEqual([
      { name: 'Anna', phone: '' },
      { name: 'Boris', phone: '' },
    ]);
    db.close();
  });

  it('applies nothing when one pending migration fails', () => {
    const db = openDatabase(file('fail.db'), { migrations: [v1] });
    expect(() => migrate(db, [v1, v2, broken])).toThrow(/no such table/);
    expect(schemaVersion(db)).toBe(1);
    const cols = db.prepare("SELECT name FROM pragma_table_info('people')").all();
    expect(cols).toEqual([{ name: 'id' }, { name: 'name' }]);
    db.close();
  });

  it('refuses a database newer than the code', () => {
    const raw = new Database(file('new.db'));
    raw.pragma(`user_version = ${latestVersion(migrations) + 1}`);
    raw.close();
    expect(() => openDatabase(file('new.db'))).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file('new.db'))).toThrow(/newer than this Korobka understands/);
  });

  it('refuses a migration list with a duplicate version', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [v1, { ...v2, version: 1 }])).toThrow(/duplicate migration version 1/);
  });

  it('brings an empty file to the latest schema with WAL and foreign keys on', () => {
    const db = openDatabase(file('full.db'));
    expect(schemaVersion(db)).toBe(latestVersion(migrations));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });
});
