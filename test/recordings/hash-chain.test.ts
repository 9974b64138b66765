import { describe, expect, it } from 'vitest';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainHash, GENESIS_HASH, nextEntry, verifyChain, type ChainEntry } from '../../services/recordings/hash-chain';

function world(n = 4) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chain-'));
  const entries: ChainEntry[] = [];
  for (let i = 1; i <= n; i++) {
    const content = Buffer.from(`recording ${i} audio`);
    writeFileSync(path.join(dir, `r${i}.krec`), content);
    entries.push(nextEntry(entries.at(-1), `r${i}`, createHash('sha256').update(content).digest('hex'), new Date(Date.UTC(2026, 0, i))));
  }
  const read = async (e: ChainEntry) => {
    const f = path.join(dir, `${e.recordingId}.krec`);
    return existsSync(f) ? createReadStream(f) : null;
  };
  return { dir, entries, read };
}

describe('hash chain', () => {
  it('links entries from the genesis hash', () => {
    const { entries } = world(2);
    expect(entries[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(entries[0]?.hash).toBe(chainHash(GENESIS_HASH, 'r1', entries[0]?.fileSha256 ?? '', '2026-01-01T00:00:00.000Z'));
    // length prefixes: moving a character between fields changes the hash
    expect(chainHash('a', 'bc', 'd', 't')).not.toBe(chainHash('a', 'b', 'cd', 't'));
  });

  it('finds nothing in an intact chain', async () => {
    const { entries, read } = world();
    expect(await verifyChain(entries, read)).toEqual([]);
  });

  it('reports a file removed by hand', async () => {
    const { dir, entries, read } = world();
    rmSync(path.join(dir, 'r2.krec'));
    expect(await verifyChain(entries, read)).toEqual([
      { kind: 'recording-file-missing', seq: 2, recordingId: 'r2', message: 'recording r2: file missing' },
    ]);
  });

  it('reports a changed file', async () => {
    const { dir, entries, read } = world();
    writeFileSync(path.join(dir, 'r3.krec'), 'recording 3 audiO');
    const f = await verifyChain(entries, read);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'recording-file-changed', seq: 3, recordingId: 'r3' });
  });

  it('reports a removed entry, an edited entry and a forged hash as broken links', async () => {
    const { entries, read } = world();
    const removed = entries.filter((e) => e.seq !== 2);
    expect((await verifyChain(removed, read)).map((x) => [x.kind, x.seq])).toEqual([
      ['chain-link-broken', 3],
      ['chain-link-broken', 3],
    ]);
    const edited = entries.map((e) => (e.seq === 2 ? { ...e, fileSha256: 'f'.repeat(64) } : e));
    const f = await verifyChain(edited, read);
    expect(f.map((x) => x.kind)).toEqual(['chain-link-broken', 'recording-file-changed']);
    expect(f[0]?.message).toBe('entry 2: its hash does not match its content (entry edited)');
    const forged = edited.map((e) => (e.seq === 2 ? { ...e, hash: chainHash(e.prevHash, e.recordingId, e.fileSha256, e.time) } : e));
    expect((await verifyChain(forged, read)).map((x) => [x.kind, x.seq])).toEqual([
      ['chain-link-broken', 3],
      ['recording-file-changed', 2],
    ]);
  });

  it('checks a recording against its latest entry and accepts a deliberate removal', async () => {
    const { dir, entries, read } = world(2);
    writeFileSync(path.join(dir, 'r1.krec'), 'rewrapped');
    const rewrap = nextEntry(entries.at(-1), 'r1', createHash('sha256').update('rewrapped').digest('hex'), new Date());
    rmSync(path.join(dir, 'r2.krec'));
    const removal = nextEntry(rewrap, 'r2', null, new Date());
    expect(await verifyChain([...entries, rewrap, removal], read)).toEqual([]);
  });

  it('accepts file bytes as a buffer too', async () => {
    const { entries } = world(1);
    expect(await verifyChain(entries, async () => Buffer.from('recording 1 audio'))).toEqual([]);
    expect((await verifyChain(entries, async () => Buffer.from('x')))[0]?.kind).toBe('recording-file-changed');
  });
});
