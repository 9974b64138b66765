// Encrypted recording files ("vault files"), AES-256-GCM in chunks.
//
// Layout (integers big-endian):
//   fixed header, 46 bytes — authenticated with every chunk
//     magic "KORBKREC" | version u8 = 1 | reserved u8 | chunk size u32
//     | plain length u64 | file id 16 | nonce base 8
//   key block length u16, key block — replaced when keys rotate
//     u8 len + tenant id | u8 len + tenant key id | u8 len + wrapped data key
//   body: ceil(plain length / chunk size) chunks (at least one), each
//     ciphertext ‖ 16-byte tag; chunk i's nonce = nonce base ‖ u32 i, its AAD =
//     fixed header ‖ u64 i ‖ u8 final.
//
// So a range read decrypts only the chunks it needs; a flipped byte, swapped
// chunks or a changed length fail authentication; a cut file is shorter than
// the header says. The data key is random per file and wrapped by the
// tenant's key (keys.ts), so key rotation rewrites the key block only.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { KEY_BYTES, unwrapKey, wrapKey, type Keyring } from './keys';
import { keyUnwrapFailed, plainFileChanged, vaultNotVault, vaultRangeInvalid, vaultTampered, vaultTruncated } from './errors';

const MAGIC = Buffer.from('KORBKREC', 'ascii');
const VERSION = 1;
const FIXED = 46;
const TAG = 16;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

export interface VaultHeader {
  chunkSize: number;
  plainLength: number;
  fileId: Buffer;
  nonceBase: Buffer;
  tenantId: string;
  tenantKeyId: string;
  wrappedDataKey: Buffer;
  /** The 46 authenticated bytes. */
  fixed: Buffer;
  bodyOffset: number;
  chunks: number;
  /** Size the file must have. */
  fileLength: number;
}

export interface EncryptResult {
  /** SHA-256 of the encrypted file, as stored (hash chain, index). */
  fileSha256: string;
  plainSha256: string;
  size: number;
  plainLength: number;
  tenantKeyId: string;
}

const dataKeyAad = (tenantId: string, tenantKeyId: string, fileId: Buffer) =>
  `korobka/data-key/v1|${tenantId}|${tenantKeyId}|${fileId.toString('hex')}`;

function nonce(h: VaultHeader, i: number): Buffer {
  const n = Buffer.alloc(12);
  h.nonceBase.copy(n, 0);
  n.writeUInt32BE(i, 8);
  return n;
}

function chunkAad(h: VaultHeader, i: number): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(i), 0);
  tail[8] = i === h.chunks - 1 ? 1 : 0;
  return Buffer.concat([h.fixed, tail]);
}

function layout(h: Omit<VaultHeader, 'bodyOffset' | 'chunks' | 'fileLength'>, keyBlockLength: number): VaultHeader {
  const chunks = Math.max(1, Math.ceil(h.plainLength / h.chunkSize));
  const bodyOffset = FIXED + 2 + keyBlockLength;
  return { ...h, bodyOffset, chunks, fileLength: bodyOffset + h.plainLength + chunks * TAG };
}

function encodeHeader(h: VaultHeader): Buffer {
  const str = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);
  const block = Buffer.concat([str(h.tenantId), str(h.tenantKeyId), Buffer.from([h.wrappedDataKey.length]), h.wrappedDataKey]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(block.length);
  return Buffer.concat([h.fixed, len, block]);
}

function newHeader(
  tenantId: string,
  tenantKeyId: string,
  wrappedDataKey: Buffer,
  fileId: Buffer,
  plainLength: number,
  chunkSize: number,
): VaultHeader {
  const fixed = Buffer.alloc(FIXED);
  MAGIC.copy(fixed, 0);
  fixed[8] = VERSION;
  fixed.writeUInt32BE(chunkSize, 10);
  fixed.writeBigUInt64BE(BigInt(plainLength), 14);
  fileId.copy(fixed, 22);
  const nonceBase = randomBytes(8);
  nonceBase.copy(fixed, 38);
  const h = { chunkSize, plainLength, fileId, nonceBase, tenantId, tenantKeyId, wrappedDataKey, fixed };
  return layout(h, encodeHeader(layout(h, 0)).length - FIXED - 2);
}

function parseHeader(b: Buffer, file: string): VaultHeader {
  if (b.length < FIXED + 2 || !b.subarray(0, 8).equals(MAGIC)) throw vaultNotVault(file, 'bad magic');
  if (b[8] !== VERSION) throw vaultNotVault(file, `unsupported version ${b[8]}`);
  const chunkSize = b.readUInt32BE(10);
  const plainLength = Number(b.readBigUInt64BE(14));
  if (chunkSize < 1024 || chunkSize > 16 * 1024 * 1024) throw vaultNotVault(file, `chunk size ${chunkSize}`);
  const blockLen = b.readUInt16BE(FIXED);
  if (b.length < FIXED + 2 + blockLen) throw vaultNotVault(file, 'key block cut short');
  let o = FIXED + 2;
  const field = (): Buffer => {
    const n = b[o] ?? 0;
    const v = b.subarray(o + 1, o + 1 + n);
    if (v.length !== n || o + 1 + n > FIXED + 2 + blockLen) throw vaultNotVault(file, 'malformed key block');
    o += 1 + n;
    return v;
  };
  const tenantId = field().toString();
  const tenantKeyId = field().toString();
  const wrappedDataKey = Buffer.from(field());
  const fixed = Buffer.from(b.subarray(0, FIXED));
  return layout(
    {
      chunkSize,
      plainLength,
      fileId: fixed.subarray(22, 38),
      nonceBase: fixed.subarray(38, 46),
      tenantId,
      tenantKeyId,
      wrappedDataKey,
      fixed,
    },
    blockLen,
  );
}

async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class Vault {
  constructor(
    private readonly keyring: Keyring,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
  ) {}

  /** Encrypts `plainPath` into a new file `outPath` (mode 0600, fsync'd) under the tenant's active key. */
  async encryptFile(plainPath: string, outPath: string, tenantId: string): Promise<EncryptResult> {
    const src = await open(plainPath, 'r');
    try {
      const plainLength = (await src.stat()).size;
      return await this.encrypt(plainLength, async (want, position) => {
        const plain = await readExactly(src, want, position);
        if (plain.length !== want) throw plainFileChanged(plainPath);
        return plain;
      }, outPath, tenantId);
    } finally {
      await src.close();
    }
  }

  /**
   * Encrypts bytes held in memory (a voicemail message, which never touches
   * the disk in plain) into `outPath` like encryptFile.
   */
  async encryptBuffer(plain: Buffer, outPath: string, tenantId: string): Promise<EncryptResult> {
    return this.encrypt(plain.length, async (want, position) => plain.subarray(position, position + want), outPath, tenantId);
  }

  private async encrypt(plainLength: number, read: (want: number, position: number) => Promise<Buffer>, outPath: string, tenantId: string): Promise<EncryptResult> {
    const tk = this.keyring.activeTenantKey(tenantId);
    const dataKey = randomBytes(KEY_BYTES);
    const fileId = randomBytes(16);
    let out: FileHandle | undefined;
    try {
      const wrapped = wrapKey(tk.key, dataKey, dataKeyAad(tenantId, tk.id, fileId));
      const h = newHeader(tenantId, tk.id, wrapped, fileId, plainLength, this.chunkSize);
      out = await open(outPath, 'wx', 0o600);
      const fileHash = createHash('sha256');
      const plainHash = createHash('sha256');
      const put = async (b: Buffer) => {
        fileHash.update(b);
        await out?.write(b);
      };
      await put(encodeHeader(h));
      for (let i = 0; i < h.chunks; i++) {
        const want = Math.min(h.chunkSize, plainLength - i * h.chunkSize);
        const plain = await read(want, i * h.chunkSize);
        plainHash.update(plain);
        const c = createCipheriv('aes-256-gcm', dataKey, nonce(h, i));
        c.setAAD(chunkAad(h, i));
        await put(Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]));
      }
      await out.sync();
      return {
        fileSha256: fileHash.digest('hex'),
        plainSha256: plainHash.digest('hex'),
        size: h.fileLength,
        plainLength,
        tenantKeyId: tk.id,
      };
    } catch (e) {
      await out?.close();
      out = undefined;
      await rm(outPath, { force: true });
      throw e;
    } finally {
      await out?.close();
    }
  }

  /** Parses and checks the header and the file's size. */
  async readHeader(file: string): Promise<VaultHeader> {
    const fh = await open(file, 'r');
    try {
      return await this.headerOf(fh, file);
    } finally {
      await fh.close();
    }
  }

  private async headerOf(fh: FileHandle, file: string): Promise<VaultHeader> {
    const h = parseHeader(await readExactly(fh, 512, 0), file);
    const size = (await fh.stat()).size;
    if (size < h.fileLength) throw vaultTruncated(file, h.fileLength, size);
    if (size > h.fileLength) throw vaultTampered(file, h.chunks);
    return h;
  }

  private dataKey(h: VaultHeader): Buffer {
    const tk = this.keyring.tenantKey(h.tenantId, h.tenantKeyId);
    const key = unwrapKey(tk, h.wrappedDataKey, dataKeyAad(h.tenantId, h.tenantKeyId, h.fileId));
    if (!key) throw keyUnwrapFailed('data', h.fileId.toString('hex'));
    return key;
  }

  /** Plaintext bytes [start, end) as authenticated chunks are decrypted. `end` defaults to the length. */
  async *decrypt(file: string, start = 0, end?: number): AsyncGenerator<Buffer> {
    const fh = await open(file, 'r');
    try {
      const h = await this.headerOf(fh, file);
      const stop = end ?? h.plainLength;
      if (!(start >= 0 && start <= stop && stop <= h.plainLength && Number.isInteger(start) && Number.isInteger(stop))) {
        throw vaultRangeInvalid(start, stop, h.plainLength);
      }
      if (start === stop && h.plainLength > 0) return;
      const key = this.dataKey(h);
      const first = Math.floor(start / h.chunkSize);
      const last = Math.max(first, Math.ceil(stop / h.chunkSize) - 1);
      for (let i = first; i <= last; i++) {
        const plainLen = Math.min(h.chunkSize, h.plainLength - i * h.chunkSize);
        const enc = await readExactly(fh, plainLen + TAG, h.bodyOffset + i * (h.chunkSize + TAG));
        const d = createDecipheriv('aes-256-gcm', key, nonce(h, i));
        d.setAAD(chunkAad(h, i));
        d.setAuthTag(enc.subarray(plainLen));
        let plain: Buffer;
        try {
          plain = Buffer.concat([d.update(enc.subarray(0, plainLen)), d.final()]);
        } catch {
          throw vaultTampered(file, i);
        }
        const base = i * h.chunkSize;
        yield plain.subarray(Math.max(0, start - base), Math.min(plainLen, stop - base));
      }
    } finally {
      await fh.close();
    }
  }

  /** Plaintext bytes [start, end): what an HTTP `Range: bytes=start-(end-1)` needs. */
  async decryptRange(file: string, start: number, end: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.decrypt(file, start, end)) parts.push(p);
    return Buffer.concat(parts);
  }

  async plainLength(file: string): Promise<number> {
    return (await this.readHeader(file)).plainLength;
  }

  /** SHA-256 of the whole plaintext, authenticating every chunk on the way. */
  async plainSha256(file: string): Promise<string> {
    const h = createHash('sha256');
    for await (const p of this.decrypt(file)) h.update(p);
    return h.digest('hex');
  }

  /**
   * Crypto-shredding of one recording (a data subject's erasure, issue 15):
   * the wrapped data key in the header is overwritten in place with random
   * bytes of the same length and synced, so the audio no longer decrypts
   * while the file's size and layout stay as the index and chain know them.
   */
  async destroyDataKey(file: string): Promise<void> {
    const fh = await open(file, 'r+');
    try {
      const h = await this.headerOf(fh, file);
      const block = encodeHeader({ ...h, wrappedDataKey: randomBytes(h.wrappedDataKey.length) });
      await fh.write(block, 0, block.length, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * Re-wraps the file's data key under the tenant's active key (after a
   * tenant key rotation). Only the key block changes: the body is copied byte
   * for byte into a new file that atomically replaces the old one.
   */
  async rewrap(file: string): Promise<{ changed: boolean; fileSha256: string; size: number; tenantKeyId: string }> {
    const h = await this.readHeader(file);
    const active = this.keyring.activeTenantKey(h.tenantId);
    if (active.id === h.tenantKeyId)
      return { changed: false, fileSha256: await fileSha256(file), size: h.fileLength, tenantKeyId: h.tenantKeyId };
    const dataKey = this.dataKey(h);
    const wrapped = wrapKey(active.key, dataKey, dataKeyAad(h.tenantId, active.id, h.fileId));
    const nh = layout({ ...h, tenantKeyId: active.id, wrappedDataKey: wrapped }, 0);
    const header = encodeHeader(nh);
    const tmp = `${file}.rewrap-${randomBytes(4).toString('hex')}`;
    const out = await open(tmp, 'wx', 0o600);
    const hash = createHash('sha256').update(header);
    try {
      await out.write(header);
      for await (const chunk of createReadStream(file, { start: h.bodyOffset, highWaterMark: 1 << 20 })) {
        hash.update(chunk as Buffer);
        await out.write(chunk as Buffer);
      }
      await out.sync();
    } catch (e) {
      await out.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await out.close();
    await rename(tmp, file);
    return { changed: true, fileSha256: hash.digest('hex'), size: (await stat(file)).size, tenantKeyId: active.id };
  }
}
