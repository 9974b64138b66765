// openDatabase compiles each distinct SQL text once (db.ts): the same
// statement comes back, one still being iterated is never handed out twice,
// and SQL built per request beyond the cache still works.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);

describe('prepared statement cache', () => {
  const db = openDatabase(path.join(t.dir, 'cache.db'), { migrate: false });
  db.exec('CREATE TABLE n (v INTEGER)');
  const insert = db.prepare('INSERT INTO n (v) VALUES (?)');
  for (let i = 0; i < 5; i++) insert.run(i);

  it('returns the same compiled statement for the same SQL', () => {
    expect(db.prepare('INSERT INTO n (v) VALUES (?)')).toBe(insert);
    expect(db.prepare('SELECT count(*) AS c FROM n').get()).toEqual({ c: 5 });
  });

  it('gives a fresh statement while the cached one is being iterated', () => {
    const sql = 'SELECT v FROM n ORDER BY v';
    const seen: number[] = [];
    for (const row of db.prepare(sql).iterate() as Iterable<{ v: number }>) {
      // The same query inside the loop: the cached statement is busy.
      seen.push(row.v + (db.prepare(sql).all() as unknown[]).length);
    }
    expect(seen).toEqual([5, 6, 7, 8, 9]);
    expect(db.prepare(sql).busy).toBe(false);
  });

  it('still prepares SQL beyond the cache size, and a schema change is picked up', () => {
    for (let i = 0; i < 600; i++) expect(db.prepare(`SELECT ${i} AS x`).get()).toEqual({ x: i });
    const all = db.prepare('SELECT * FROM n LIMIT 1');
    expect(all.get()).toEqual({ v: 0 });
    db.exec('ALTER TABLE n ADD COLUMN w TEXT');
    expect(db.prepare('SELECT * FROM n LIMIT 1').get()).toEqual({ v: 0, w: null });
    expect(() => db.prepare('SELECT nope FROM n')).toThrow(/no such column/);
  });
});
