import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openKeyring } from '../../services/recordings/keys';
import { fileSha256, Vault } from '../../services/recordings/vault';

const CHUNK = 4096;

function setup(size = 3 * CHUNK + 123) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vault-'));
  const keyring = openKeyring({ dataDir: dir });
  const vault = new Vault(keyring, CHUNK);
  const plain = randomBytes(size);
  const plainPath = path.join(dir, 'plain.bin');
  writeFileSync(plainPath, plain);
  return { dir, keyring, vault, plain, plainPath, enc: path.join(dir, 'rec.krec') };
}

describe('vault', () => {
  it('encrypts to a 0600 file that decrypts back exactly, with both hashes', async () => {
    const { vault, plain, plainPath, enc } = setup();
    const r = await vault.encryptFile(plainPath, enc, 't1');
    expect(statSync(enc).mode & 0o777).toBe(0o600);
    expect(r.size).toBe(statSync(enc).size);
    expect(r.fileSha256).toBe(await fileSha256(enc));
    expect(r.plainSha256).toBe(createHash('sha256').update(plain).digest('hex'));
    expect(readFileSync(enc).includes(plain.subarray(0, 64))).toBe(false);
    expect(await vault.decryptRange(enc, 0, plain.length)).toEqual(plain);
    expect(await vault.plainSha256(enc)).toBe(r.plainSha256);
  });

  it('returns exact bytes for ranges inside, across and at chunk borders', async () => {
    const { vault, plain, plainPath, enc } = setup();
    await vault.encryptFile(plainPath, enc, 't1');
    const ranges: Array<[number, number]> = [
      [0, 1], [CHUNK - 1, CHUNK + 1], [CHUNK, 2 * CHUNK], [10, 3 * CHUNK + 5], [3 * CHUNK, plain.length], [plain.length - 1, plain.length], [500, 500],
    ];
    for (const [s, e] of ranges) expect(await vault.decryptRange(enc, s, e)).toEqual(plain.subarray(s, e));
    await expect(vault.decryptRange(enc, 5, plain.length + 1)).rejects.toMatchObject({ code: 'vault-range-invalid', status: 416 });
    await expect(vault.decryptRange(enc, 9, 3)).rejects.toMatchObject({ code: 'vault-range-invalid' });
  });

  it('handles an empty file and an exact multiple of the chunk size', async () => {
    for (const size of [0, 2 * CHUNK]) {
      const { vault, plain, plainPath, enc } = setup(size);
      await vault.encryptFile(plainPath, enc, 't1');
      expect(await vault.decryptRange(enc, 0, size)).toEqual(plain);
    }
  });

  it('detects a flipped byte in any chunk', async () => {
    const { vault, plainPath, enc } = setup();
    await vault.encryptFile(plainPath, enc, 't1');
    const h = await vault.readHeader(enc);
    const good = readFileSync(enc);
    for (const [at, chunk] of [[h.bodyOffset + 5, 0], [h.bodyOffset + 2 * (CHUNK + 16) + 7, 2], [good.length - 1, 3]] as const) {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      writeFileSync(enc, bad);
      await expect(vault.decryptRange(enc, 0, h.plainLength)).rejects.toMatchObject({ code: 'vault-tampered', details: { chunk } });
    }
    // a flip in the authenticated header (plain length) breaks every chunk
    const bad = Buffer.from(good);
    bad[21] = (bad[21] ?? 0) ^ 0x01;
    writeFileSync(enc, bad);
    await expect(vault.plainSha256(enc)).rejects.toMatchObject({ code: expect.stringMatching(/^vault-(tampered|truncated)$/) });
  });

  it('detects a truncated file and swapped chunks', async () => {
    const { vault, plainPath, enc } = setup();
    await vault.encryptFile(plainPath, enc, 't1');
    const h = await vault.readHeader(enc);
    const good = readFileSync(enc);
    truncateSync(enc, good.length - 200);
    await expect(vault.decryptRange(enc, 0, 10)).rejects.toMatchObject({
      code: 'vault-truncated',
      message: `${enc}: ${good.length - 200} bytes where ${good.length} were expected`,
    });
    const c = CHUNK + 16;
    const swapped = Buffer.concat([
      good.subarray(0, h.bodyOffset),
      good.subarray(h.bodyOffset + c, h.bodyOffset + 2 * c),
      good.subarray(h.bodyOffset, h.bodyOffset + c),
      good.subarray(h.bodyOffset + 2 * c),
    ]);
    writeFileSync(enc, swapped);
    await expect(vault.decryptRange(enc, 0, 10)).rejects.toMatchObject({ code: 'vault-tampered', details: { chunk: 0 } });
    writeFileSync(enc, Buffer.concat([good, Buffer.from('x')]));
    await expect(vault.decryptRange(enc, 0, 10)).rejects.toMatchObject({ code: 'vault-tampered' });
    writeFileSync(enc, Buffer.from('RIFF not a vault file at all, really not one'));
    await expect(vault.readHeader(enc)).rejects.toMatchObject({ code: 'vault-not-vault' });
  });

  it('keeps audio readable across tenant key rotation, body bytes untouched', async () => {
    const { vault, keyring, plain, plainPath, enc } = setup();
    const r = await vault.encryptFile(plainPath, enc, 't1');
    const before = readFileSync(enc);
    const h0 = await vault.readHeader(enc);
    const newId = keyring.rotateTenantKey('t1');
    const rw = await vault.rewrap(enc);
    expect(rw).toMatchObject({ changed: true, tenantKeyId: newId });
    expect(rw.fileSha256).not.toBe(r.fileSha256);
    expect(rw.fileSha256).toBe(await fileSha256(enc));
    const after = readFileSync(enc);
    const h1 = await vault.readHeader(enc);
    expect(after.subarray(h1.bodyOffset)).toEqual(before.subarray(h0.bodyOffset));
    expect(await vault.decryptRange(enc, 0, plain.length)).toEqual(plain);
    expect(keyring.retireTenantKeys('t1', () => false)).toEqual([r.tenantKeyId]);
    expect(await vault.decryptRange(enc, 0, plain.length)).toEqual(plain);
    expect((await vault.rewrap(enc)).changed).toBe(false);
  });

  it('cannot be read by another tenant key or after crypto-shredding', async () => {
    const { vault, keyring, plainPath, enc } = setup();
    await vault.encryptFile(plainPath, enc, 't1');
    keyring.rotateTenantKey('t1');
    keyring.retireTenantKeys('t1', () => false); // the only key that wrapped this file is gone
    await expect(vault.decryptRange(enc, 0, 10)).rejects.toMatchObject({ code: 'key-not-found' });
  });

  it('leaves no output file when the plain file cannot be read', async () => {
    const { vault, dir, enc } = setup();
    await expect(vault.encryptFile(path.join(dir, 'missing'), enc, 't1')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(vault.readHeader(enc)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
