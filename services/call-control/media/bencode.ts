// Bencoding (BEP 3), the ng protocol's message format: byte strings
// `<len>:<bytes>`, integers `i<n>e`, lists `l…e`, dictionaries `d…e` with
// keys sorted as raw byte strings. Strings decode as UTF-8 JavaScript
// strings (rtpengine's replies are SDP and ASCII words).

export type Bencodable = string | number | Buffer | boolean | Bencodable[] | { [key: string]: Bencodable | undefined };

export class BencodeError extends Error {}

function encodeInto(v: Bencodable | undefined, out: Buffer[]): void {
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    out.push(Buffer.from(`${b.length}:`), b);
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new BencodeError(`bencode has no fractions: ${v}`);
    out.push(Buffer.from(`i${v}e`));
  } else if (typeof v === 'boolean') {
    out.push(Buffer.from(`i${v ? 1 : 0}e`));
  } else if (Array.isArray(v)) {
    out.push(Buffer.from('l'));
    for (const item of v) encodeInto(item, out);
    out.push(Buffer.from('e'));
  } else if (v && typeof v === 'object') {
    out.push(Buffer.from('d'));
    // BEP 3: keys sorted as raw strings; undefined values are left out.
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const k of keys) {
      encodeInto(k, out);
      encodeInto(v[k], out);
    }
    out.push(Buffer.from('e'));
  } else {
    throw new BencodeError(`cannot bencode ${v === null ? 'null' : typeof v}`);
  }
}

export function bencode(v: Bencodable): Buffer {
  const out: Buffer[] = [];
  encodeInto(v, out);
  return Buffer.concat(out);
}

const COLON = 0x3a;
const E = 0x65;

/** Decodes one value from `buf` starting at `start`; throws BencodeError on anything malformed or trailing. */
export function bdecode(buf: Buffer, start = 0): unknown {
  let pos = start;
  const fail = (why: string): never => {
    throw new BencodeError(`bencode: ${why} at byte ${pos}`);
  };
  const int = (end: number): number => {
    const text = buf.toString('latin1', pos, end);
    if (!/^-?\d+$/.test(text)) fail('bad integer');
    pos = end + 1;
    return Number(text);
  };
  const value = (depth: number): unknown => {
    if (depth > 32) fail('nested too deep');
    const c = buf[pos];
    if (c === undefined) return fail('truncated');
    if (c === 0x69 /* i */) {
      pos++;
      const end = buf.indexOf(E, pos);
      return end < 0 ? fail('unterminated integer') : int(end);
    }
    if (c === 0x6c /* l */) {
      pos++;
      const list: unknown[] = [];
      while (buf[pos] !== E) {
        if (pos >= buf.length) fail('unterminated list');
        list.push(value(depth + 1));
      }
      pos++;
      return list;
    }
    if (c === 0x64 /* d */) {
      pos++;
      const dict: Record<string, unknown> = {};
      while (buf[pos] !== E) {
        if (pos >= buf.length) fail('unterminated dictionary');
        const key = value(depth + 1);
        if (typeof key !== 'string') fail('dictionary key is not a string');
        dict[key as string] = value(depth + 1);
      }
      pos++;
      return dict;
    }
    if (c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(COLON, pos);
      if (colon < 0) fail('string without length');
      const len = int(colon);
      if (len < 0) fail('negative string length');
      if (pos + len > buf.length) fail('string runs past the end');
      const s = buf.toString('utf8', pos, pos + len);
      pos += len;
      return s;
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };
  const v = value(0);
  if (pos !== buf.length) fail('trailing bytes');
  return v;
}
