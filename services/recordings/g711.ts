// G.711 (ITU-T Rec. G.711, 11/88) decoding to 16-bit linear PCM.
//
// Our own tables, computed once from the companding laws of G.711 §2 (A-law,
// Tables 1a/1b) and §3 (µ-law, Tables 2a/2b): each 8-bit code is a sign bit,
// a 3-bit segment and a 4-bit step within the segment; the decoder output is
// the middle of the step's quantisation interval. A-law values are on a 13-bit
// scale and µ-law on a 14-bit one; both are shifted here to 16 bits.
// The encoders exist for tests and benchmarks that must produce real G.711.

/** µ-law: codes are transmitted inverted (G.711 Table 2, note 1). Bias 33 on the 14-bit scale, ×4 = 132. */
function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const segment = (u >> 4) & 0x07;
  const step = u & 0x0f;
  const magnitude = (((step << 3) + 0x84) << segment) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** A-law: even bits are inverted on the line (G.711 Table 1, note 2), hence XOR 0x55. Sign bit 1 = positive. */
function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const segment = (a >> 4) & 0x07;
  const step = a & 0x0f;
  const magnitude = segment === 0 ? (step << 4) + 8 : ((step << 4) + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function table(f: (code: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let c = 0; c < 256; c++) t[c] = f(c);
  return t;
}

export const ULAW_TO_LINEAR: Int16Array = table(ulawToLinear);
export const ALAW_TO_LINEAR: Int16Array = table(alawToLinear);

export type G711Law = 'alaw' | 'ulaw';

/** Decodes `src` into `dst` starting at `dstOffset`, every `stride` samples (2 for one side of stereo). */
export function decodeG711(law: G711Law, src: Uint8Array, dst: Int16Array, dstOffset = 0, stride = 1): void {
  const t = law === 'alaw' ? ALAW_TO_LINEAR : ULAW_TO_LINEAR;
  for (let i = 0, j = dstOffset; i < src.length; i++, j += stride) dst[j] = t[src[i] ?? 0] ?? 0;
}

/** Nearest µ-law code for a 16-bit sample (segment search over the biased magnitude). */
export function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let m = Math.min(Math.abs(sample), 32635) + 0x84;
  let segment = 7;
  for (let mask = 0x4000; (m & mask) === 0 && segment > 0; mask >>= 1) segment--;
  const step = (m >> (segment + 3)) & 0x0f;
  m = sign | (segment << 4) | step;
  return ~m & 0xff;
}

/** Nearest A-law code for a 16-bit sample. */
export function linearToAlaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const m = Math.min(sample >= 0 ? sample : -sample - 1, 32767) >> 3; // 13-bit magnitude
  let code: number;
  if (m < 32) code = m >> 1;
  else {
    let segment = 1;
    while (segment < 7 && m >= 64 << (segment - 1)) segment++;
    code = (segment << 4) | ((m >> segment) & 0x0f);
  }
  return (sign | code) ^ 0x55;
}

export function encodeG711(law: G711Law, samples: ArrayLike<number>): Buffer {
  const f = law === 'alaw' ? linearToAlaw : linearToUlaw;
  const out = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = f(samples[i] ?? 0);
  return out;
}
