import { describe, expect, it } from 'vitest';
import { PayloadArena } from '../../services/recordings/payload-arena';

describe('payload arena', () => {
  it('returns every stored payload intact, across slab boundaries', () => {
    const arena = new PayloadArena();
    const stored: Array<[number, Buffer]> = [];
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.alloc(160 + (i % 7), i & 0xff); // 3.3 MB: several 1 MiB slabs
      stored.push([arena.store(b), b]);
    }
    for (const [ref, b] of stored) expect(arena.view(ref, b.length).equals(b)).toBe(true);
    expect(arena.bytes).toBe(4 * (1 << 20));
  });

  it('refuses a payload larger than a slab and an unknown reference', () => {
    const arena = new PayloadArena();
    expect(() => arena.store(Buffer.alloc((1 << 20) + 1))).toThrow(RangeError);
    expect(() => arena.view(5 << 20, 10)).toThrow(RangeError);
  });
});
