import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openKeyring } from '../../services/recordings/keys';
import { parseByteRange, playback } from '../../services/recordings/playback';
import { Vault } from '../../services/recordings/vault';

describe('Range header (RFC 9110 §14)', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseByteRange>]> = [
    [undefined, undefined],
    ['bytes=0-499', { start: 0, end: 500 }],
    ['bytes=500-999', { start: 500, end: 1000 }],
    ['bytes=-500', { start: 9500, end: 10000 }],
    ['bytes=9500-', { start: 9500, end: 10000 }],
    ['bytes=0-0', { start: 0, end: 1 }],
    ['bytes=9000-20000', { start: 9000, end: 10000 }],
    ['bytes=-20000', { start: 0, end: 10000 }],
    ['bytes=10000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-6', undefined],
    ['items=0-1', undefined],
    ['bytes=5-2', undefined],
    ['bytes=-', undefined],
  ];
  for (const [header, want] of cases) {
    it(`${header ?? '(none)'} of 10000 bytes`, () => expect(parseByteRange(header, 10000)).toEqual(want));
  }
});

describe('playback', () => {
  it('streams 206 partial content decrypted from the vault, 200 without Range, 416 past the end', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'play-'));
    const vault = new Vault(openKeyring({ dataDir: dir }), 4096);
    const plain = randomBytes(20_000);
    writeFileSync(path.join(dir, 'a.ogg'), plain);
    const file = path.join(dir, 'a.krec');
    await vault.encryptFile(path.join(dir, 'a.ogg'), file, 't1');
    const rec = { plainBytes: plain.length, mediaType: 'audio/ogg' as const };
    const collect = async (b: AsyncIterable<Buffer> | undefined) => {
      const parts: Buffer[] = [];
      for await (const p of b ?? []) parts.push(p);
      return Buffer.concat(parts);
    };
    const part = playback(vault, file, rec, 'bytes=4000-8199');
    expect(part.status).toBe(206);
    expect(part.headers).toMatchObject({ 'Content-Range': 'bytes 4000-8199/20000', 'Content-Length': '4200', 'Content-Type': 'audio/ogg' });
    expect(await collect(part.body)).toEqual(plain.subarray(4000, 8200));
    const whole = playback(vault, file, rec);
    expect(whole).toMatchObject({ status: 200, headers: { 'Content-Length': '20000', 'Accept-Ranges': 'bytes' } });
    expect(await collect(whole.body)).toEqual(plain);
    expect(playback(vault, file, rec, 'bytes=20000-')).toMatchObject({ status: 416, headers: { 'Content-Range': 'bytes */20000' }, body: undefined });
  });
});
