// PNG validation by content (ISO/IEC 15948 / W3C PNG §5): signature, a chunk
// walk with CRC-32 on every chunk, IHDR first with sane dimensions, at least
// one IDAT, IEND last and nothing after it (no polyglot trailers).

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPngSignature(b: Buffer): boolean {
  return b.length >= 8 && b.subarray(0, 8).equals(SIGNATURE);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// PNG §5.5: CRC-32 over chunk type and data.
export function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export type PngResult = { ok: true; width: number; height: number } | { ok: false; reason: string };

export function checkPng(b: Buffer, maxSide: number): PngResult {
  if (!isPngSignature(b)) return { ok: false, reason: 'not a PNG signature' };
  let pos = 8;
  let first = true;
  let width = 0;
  let height = 0;
  let sawData = false;
  while (pos < b.length) {
    if (pos + 12 > b.length) return { ok: false, reason: 'truncated chunk header' };
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (len > 0x7fffffff || pos + 12 + len > b.length) return { ok: false, reason: `chunk ${type} runs past the end of the file` };
    if (!/^[A-Za-z]{4}$/.test(type)) return { ok: false, reason: 'invalid chunk type' };
    const expected = b.readUInt32BE(pos + 8 + len);
    if (crc32(b.subarray(pos + 4, pos + 8 + len)) !== expected) return { ok: false, reason: `chunk ${type} has a wrong CRC` };
    if (first) {
      if (type !== 'IHDR' || len !== 13) return { ok: false, reason: 'IHDR must be the first chunk' };
      width = b.readUInt32BE(pos + 8);
      height = b.readUInt32BE(pos + 12);
      if (width === 0 || height === 0) return { ok: false, reason: 'zero width or height' };
      if (width > maxSide || height > maxSide) return { ok: false, reason: `image is larger than ${maxSide}×${maxSide} pixels` };
      first = false;
    }
    if (type === 'IDAT') sawData = true;
    pos += 12 + len;
    if (type === 'IEND') {
      if (pos !== b.length) return { ok: false, reason: 'data after IEND' };
      if (!sawData) return { ok: false, reason: 'no image data' };
      return { ok: true, width, height };
    }
  }
  return { ok: false, reason: 'no IEND chunk (truncated file)' };
}
