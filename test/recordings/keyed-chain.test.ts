// The recordings chain keyed (issue 15): entries written through the real
// store into a real SQLite file, then edited by hand. The old unkeyed chain
// let anyone recompute every hash after an edit; the keyed one does not, and
// an unkeyed entry after keyed ones is named.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chainHash, chainKeyFrom, GENESIS_HASH, KEYED_PREFIX, nextEntry, verifyChain } from '../../services/recordings/hash-chain';
import { openStore, type ChainEntry } from '../../services/store';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const KEY = chainKeyFrom(randomBytes(32));

function world(keyedFrom: number, n = 5) {
  const t = tempDir('recchain-');
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, 'korobka.db');
  const s = openStore(file);
  const tenant = String(s.tenants.create({ name: 'A', sipDomain: 'a.example.ru' }).id);
  for (let i = 1; i <= n; i++) {
    const sha = createHash('sha256').update(`audio ${i}`).digest('hex');
    const entry = nextEntry(s.recordings.chainHead(), `r${i}`, sha, new Date(Date.UTC(2026, 10, i)), i >= keyedFrom ? KEY : undefined);
    s.recordings.saveRecording(
      { recordingId: `r${i}`, cdrId: null, tenantId: tenant, caller: null, callee: null, startedAt: '2026-11-01T10:00:00.000Z', durationMs: 1000, sizeBytes: 10, plainBytes: 8, codec: 'opus', mediaType: 'audio/ogg', keyId: 'tk-1', sha256: sha, legalHold: false, path: `vault/r${i}.krec`, channelSource: 'metadata', createdAt: '2026-11-01T10:00:05.000Z' },
      entry,
    );
  }
  s.close();
  const entries = (): ChainEntry[] => {
    const r = openStore(file, { migrate: false, readonly: true });
    try {
      return [...r.recordings.chainEntries()];
    } finally {
      r.close();
    }
  };
  const edit = (fn: (db: Database.Database) => void) => {
    const db = new Database(file);
    db.exec('DROP TRIGGER recording_chain_no_update; DROP TRIGGER recording_chain_no_delete');
    fn(db);
    db.close();
  };
  return { entries, edit };
}

const links = async (entries: ChainEntry[], key?: Buffer | 'links-only') => (await verifyChain(entries, async () => 'unhashed', key)).map((f) => f.message);

/** What an intruder without the key can do: recompute every hash from `fromSeq` on the old way. */
function recomputeUnkeyed(db: Database.Database, fromSeq: number): void {
  let prev = fromSeq === 1 ? GENESIS_HASH : (db.prepare('SELECT hash FROM recording_chain WHERE seq = ?').get(fromSeq - 1) as { hash: string }).hash;
  for (const r of db.prepare('SELECT * FROM recording_chain WHERE seq >= ? ORDER BY seq').all(fromSeq) as { seq: number; recording_id: string; file_sha256: string | null; time: string }[]) {
    const h = chainHash(prev, r.recording_id, r.file_sha256, r.time);
    db.prepare('UPDATE recording_chain SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, h, r.seq);
    prev = h;
  }
}

describe('keyed recordings chain', () => {
  it('new entries are keyed and verify with the key, after the old unkeyed ones', async () => {
    const w = world(3);
    const e = w.entries();
    expect(e.map((x) => x.hash.startsWith(KEYED_PREFIX))).toEqual([false, false, true, true, true]);
    expect(await links(e, KEY)).toEqual([]);
    expect(await links(e, chainKeyFrom(randomBytes(32)))).toEqual(['entry 3: its hash does not match its content (entry edited)', 'entry 4: its hash does not match its content (entry edited)', 'entry 5: its hash does not match its content (entry edited)']);
  });

  it('names an entry edited by hand even when every later hash is recomputed without the key', async () => {
    const w = world(1);
    w.edit((db) => {
      db.prepare("UPDATE recording_chain SET file_sha256 = ? WHERE seq = 2").run('c'.repeat(64));
      recomputeUnkeyed(db, 2);
    });
    expect((await links(w.entries(), KEY))[0]).toBe('entry 2: an unkeyed entry after keyed ones (history rewritten without the key)');
  });

  it('names an edited keyed entry whose hash was left alone', async () => {
    const w = world(1);
    w.edit((db) => db.prepare("UPDATE recording_chain SET time = '2026-01-01T00:00:00.000Z' WHERE seq = 4").run());
    expect(await links(w.entries(), KEY)).toEqual(['entry 4: its hash does not match its content (entry edited)']);
  });

  it('names an entry deleted from the middle', async () => {
    const w = world(1);
    w.edit((db) => db.prepare('DELETE FROM recording_chain WHERE seq = 3').run());
    expect(await links(w.entries(), KEY)).toEqual(['entry 4: sequence 4 where 3 was expected (entries removed or reordered)', 'entry 4: does not link to the entry before it']);
  });

  it('a keyed entry cannot be checked without the key: said so, not passed', async () => {
    const w = world(5);
    expect(await links(w.entries())).toEqual(['entry 5: a keyed entry and no key to check it']);
    // 'links-only' (doctor without the key, which it reports as a failed key check) checks order and links, not content.
    w.edit((db) => db.prepare("UPDATE recording_chain SET time = 'x' WHERE seq = 5").run());
    expect(await links(w.entries(), 'links-only')).toEqual([]);
    expect(await links(w.entries(), KEY)).toEqual(['entry 5: its hash does not match its content (entry edited)']);
  });
});
