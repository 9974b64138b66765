// WCAG 2.1 contrast maths (§1.4.3, definitions of "relative luminance" and
// "contrast ratio"). Pure: used by the branding page as the user types and
// by the API, which refuses colours whose text would be unreadable.

export const MIN_TEXT_CONTRAST = 4.5;

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

export function isHexColor(s: string): boolean {
  return HEX.test(s);
}

export function parseHex(s: string): Rgb | null {
  const m = HEX.exec(s.trim());
  if (!m) return null;
  let h = m[1]!;
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  return { r: parseInt(h.slice(0, 2), 16), g: parseInt(h.slice(2, 4), 16), b: parseInt(h.slice(4, 6), 16) };
}

export function toHex({ r, g, b }: Rgb): string {
  const c = (v: number) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');
  return `#${c(r)}${c(g)}${c(b)}`;
}

// WCAG 2.1: sRGB channel to linear light.
function channel(v: number): number {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance(c: Rgb): number {
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

/** (L1 + 0.05) / (L2 + 0.05) with L1 the lighter: 1 … 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  const [hi, lo] = la >= lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}

export function contrastOf(a: string, b: string): number | null {
  const x = parseHex(a);
  const y = parseHex(b);
  return x && y ? contrastRatio(x, y) : null;
}

function mix(c: Rgb, toward: Rgb, t: number): Rgb {
  return { r: c.r + (toward.r - c.r) * t, g: c.g + (toward.g - c.g) * t, b: c.b + (toward.b - c.b) * t };
}

/**
 * The nearest shade of `color` (mixed toward black, or toward white when
 * the text is dark) that reaches `min` against `text`; null if it already
 * does or the colour is not a hex colour.
 */
export function suggestShade(color: string, text: string, min = MIN_TEXT_CONTRAST): string | null {
  const c = parseHex(color);
  const t = parseHex(text);
  if (!c || !t || contrastRatio(c, t) >= min) return null;
  const toward = relativeLuminance(t) > 0.5 ? { r: 0, g: 0, b: 0 } : { r: 255, g: 255, b: 255 };
  // Bisection on the mix factor: contrast grows monotonically toward the far end.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (contrastRatio(mix(c, toward, mid), t) >= min) hi = mid;
    else lo = mid;
  }
  // Round to hex, then step further if rounding fell just short.
  for (let f = hi; f <= 1; f += 0.005) {
    const hex = toHex(mix(c, toward, f));
    if (contrastRatio(parseHex(hex)!, t) >= min) return hex;
  }
  return toHex(toward);
}
