import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ALAW_TO_LINEAR, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ULAW_TO_LINEAR } from '../../services/recordings/g711';
import { goertzel, tone } from './pcap-builder';

describe('G.711', () => {
  it('µ-law decodes the end points of ITU-T G.711 Table 2 (×4 to 16 bits)', () => {
    expect(ULAW_TO_LINEAR[0xff]).toBe(0); // +0
    expect(ULAW_TO_LINEAR[0x7f]).toBe(0); // -0
    expect(ULAW_TO_LINEAR[0x80]).toBe(32124); // 8031 × 4 (largest positive decision output)
    expect(ULAW_TO_LINEAR[0x00]).toBe(-32124);
    expect(ULAW_TO_LINEAR[0xfe]).toBe(8); // first step: 2 × 4
    expect(ULAW_TO_LINEAR[0xef]).toBe(132); // segment 1 starts at 33 × 4
  });

  it('A-law decodes the end points of ITU-T G.711 Table 1 (×8 to 16 bits)', () => {
    expect(ALAW_TO_LINEAR[0xd5]).toBe(8); // 1 × 8: smallest positive
    expect(ALAW_TO_LINEAR[0x55]).toBe(-8);
    expect(ALAW_TO_LINEAR[0xaa]).toBe(32256); // 4032 × 8
    expect(ALAW_TO_LINEAR[0x2a]).toBe(-32256);
    expect(ALAW_TO_LINEAR[0xc5]).toBe(264); // segment 1 starts at 33 × 8
  });

  it('is monotonic in each sign half and round-trips through the encoders', () => {
    for (let c = 0; c < 256; c++) {
      if (c !== 0x7f) expect(linearToUlaw(ULAW_TO_LINEAR[c] ?? 0)).toBe(c);
      expect(linearToAlaw(ALAW_TO_LINEAR[c] ?? 0)).toBe(c);
    }
    const pos = [...Array(128).keys()].map((i) => ULAW_TO_LINEAR[0xff - i] ?? 0);
    expect(pos).toEqual([...pos].sort((a, b) => a - b));
  });

  it('keeps quantisation error within the step size for every 16-bit input', () => {
    for (let s = -32768; s < 32768; s += 7) {
      const u = ULAW_TO_LINEAR[linearToUlaw(s)] ?? 0;
      const a = ALAW_TO_LINEAR[linearToAlaw(s)] ?? 0;
      const clip = Math.max(-32124, Math.min(32124, s));
      expect(Math.abs(u - clip)).toBeLessThanOrEqual(Math.max(8, Math.abs(clip) / 16 + 8));
      expect(Math.abs(a - Math.max(-32256, Math.min(32256, s)))).toBeLessThanOrEqual(Math.max(16, Math.abs(s) / 16 + 16));
    }
  });

  it('decodes a tone into an interleaved stereo slot', () => {
    const t = tone(440, 800);
    for (const law of ['alaw', 'ulaw'] as const) {
      const out = new Int16Array(1600);
      decodeG711(law, encodeG711(law, t), out, 1, 2);
      const right = out.filter((_, i) => i % 2 === 1);
      const left = out.filter((_, i) => i % 2 === 0);
      expect(left.every((v) => v === 0)).toBe(true);
      expect(goertzel(right, 440)).toBeGreaterThan(100 * goertzel(right, 880));
    }
  });

  it('agrees with ffmpeg\'s independent G.711 decoders on all 256 codes', () => {
    const codes = Buffer.from([...Array(256).keys()]);
    for (const [fmt, t] of [['alaw', ALAW_TO_LINEAR], ['mulaw', ULAW_TO_LINEAR]] as const) {
      const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', fmt, '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 's16le', 'pipe:1'], {
        input: codes,
        timeout: 20_000,
      });
      expect(r.status).toBe(0);
      const theirs = new Int16Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + r.stdout.length));
      expect([...theirs]).toEqual([...t]);
    }
  });
});
