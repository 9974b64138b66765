// Compact storage for the many small payloads of a long call: 1 MiB slabs,
// each payload addressed by one number. A Buffer per 20 ms packet costs more
// in object overhead than the 160 bytes it holds; this costs nothing extra.
const SLAB = 1 << 20;

export class PayloadArena {
  private readonly slabs: Buffer[] = [];
  private used = SLAB;

  /** Copies `b` in and returns its reference. */
  store(b: Uint8Array): number {
    if (b.length > SLAB) throw new RangeError(`payload of ${b.length} bytes exceeds the arena slab`);
    if (this.used + b.length > SLAB) {
      this.slabs.push(Buffer.allocUnsafe(SLAB));
      this.used = 0;
    }
    const slab = this.slabs.length - 1;
    this.slabs[slab]?.set(b, this.used);
    const ref = slab * SLAB + this.used;
    this.used += b.length;
    return ref;
  }

  view(ref: number, length: number): Buffer {
    const slab = this.slabs[Math.floor(ref / SLAB)];
    if (!slab) throw new RangeError(`no payload at ${ref}`);
    const at = ref % SLAB;
    return slab.subarray(at, at + length);
  }

  get bytes(): number {
    return this.slabs.length * SLAB;
  }
}
