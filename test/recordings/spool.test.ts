import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callIdOf, findCaptures } from '../../services/recordings/spool';

function spool() {
  const dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
  for (const d of ['pcaps', 'metadata', 'tmp']) mkdirSync(path.join(dir, d));
  const add = (kind: 'metadata' | 'tmp', call: string, ageMs = 0) => {
    const pcap = path.join(dir, 'pcaps', `${call}-0123456789abcdef.pcap`);
    writeFileSync(pcap, 'x');
    const meta = path.join(dir, kind, `rtpengine-meta-${call}-0123456789abcdef.${kind === 'tmp' ? 'tmp' : 'txt'}`);
    writeFileSync(meta, `${pcap}\n\n`);
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(pcap, t, t);
    utimesSync(meta, t, t);
  };
  return { dir, add };
}

describe('spool', () => {
  it('takes the call-id from rtpengine metadata file names', () => {
    expect(callIdOf('rtpengine-meta-abc-1@host-0123456789abcdef.txt')).toBe('abc-1@host');
    expect(callIdOf('rtpengine-meta-x-fedcba9876543210.tmp')).toBe('x');
  });

  it('lists finished captures, and orphans only once idle and unknown to rtpengine', async () => {
    const s = spool();
    s.add('metadata', 'done');
    s.add('tmp', 'live'); // just written: a call in progress
    s.add('tmp', 'dead', 2 * 3600_000);
    s.add('tmp', 'held', 2 * 3600_000);
    const found = await findCaptures(s.dir, { isCallLive: async (id) => id === 'held' });
    expect(found.map((c) => [c.callId, c.orphan])).toEqual([
      ['done', false],
      ['dead', true],
    ]);
    const soon = await findCaptures(s.dir, { orphanIdleMs: 0 });
    expect(soon.map((c) => c.callId)).toEqual(['done', 'dead', 'held', 'live']);
  });

  it('flags metadata pointing outside pcaps/', async () => {
    const s = spool();
    writeFileSync(path.join(s.dir, 'metadata', 'rtpengine-meta-e-0123456789abcdef.txt'), '/etc/shadow\n');
    const [c] = await findCaptures(s.dir);
    expect(c?.problem?.code).toBe('recording-metadata-invalid');
  });

  it('returns nothing for a directory rtpengine has not created yet', async () => {
    expect(await findCaptures(path.join(tmpdir(), 'does-not-exist-korobka'))).toEqual([]);
  });
});

describe('spool, captures started mid-call', () => {
  it('decodes the call id rtpengine percent-encodes in file names', () => {
    expect(callIdOf('rtpengine-meta-1-15002%40127.0.0.1-d87400b5a2249433.txt')).toBe('1-15002@127.0.0.1');
    expect(callIdOf('rtpengine-meta-bad%zz-d87400b5a2249433.txt')).toBe('bad%zz');
  });

  it('leaves a young capture whose metadata file is still empty alone (start recording writes it at the end)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
    for (const d of ['pcaps', 'metadata', 'tmp']) mkdirSync(path.join(dir, d));
    writeFileSync(path.join(dir, 'tmp', 'rtpengine-meta-c%40h-0123456789abcdef.tmp'), '');
    expect(await findCaptures(dir)).toEqual([]);
    const late = await findCaptures(dir, { orphanIdleMs: 0, now: () => Date.now() + 1000 });
    expect(late.map((c) => [c.callId, c.problem?.code])).toEqual([['c@h', 'recording-metadata-invalid']]);
  });
});
