// Canonical form of numbers stored by call flows (DIDs, list entries,
// external destinations): E.164 with `+` for public numbers. Russian
// national forms are accepted as people write them — `8 495 123-45-67`,
// `7 (495) 1234567`, `495 123 45 67` — and become `+74951234567`. Short
// numbers (extensions, 3–6 digit service numbers) stay digits. The dial
// plan's normaliser (call-control) knows the tenant's city code; stored
// configuration cannot depend on it, so local 7-digit numbers are not
// guessed here.

// RFC 3966 §5.1.1 visual separators, plus spaces people paste.
const SEPARATORS = /[\s\-.()]/g;

export type CanonicalResult = { ok: true; number: string } | { ok: false; message: string };

export function canonicalNumber(raw: string): CanonicalResult {
  const s = raw.replace(SEPARATORS, '');
  if (s === '') return { ok: false, message: 'required' };
  if (!/^\+?\d+$/.test(s)) return { ok: false, message: 'must be digits with an optional leading +' };
  if (s.startsWith('+')) {
    // E.164 §6: at most 15 digits, country codes never start with 0.
    if (s.length < 4 || s.length > 16 || s[1] === '0') return { ok: false, message: 'must be +, a country code and at most 15 digits' };
    return { ok: true, number: s };
  }
  if (s.length === 11 && (s[0] === '8' || s[0] === '7')) return { ok: true, number: `+7${s.slice(1)}` };
  if (s.length === 10 && /^[3489]/.test(s)) return { ok: true, number: `+7${s}` };
  if (s.length >= 2 && s.length <= 6) return { ok: true, number: s };
  if (s.length > 11 && s.startsWith('810')) return canonicalNumber(`+${s.slice(3)}`);
  return { ok: false, message: 'not a number Korobka can store: give +country code and number, 8 and ten digits, or a 2–6 digit short number' };
}

/** A caller's number as it appears in From, made comparable with stored numbers; null when withheld. */
export function callerNumber(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const s = raw.trim();
  if (s === '' || /^(anonymous|unknown|restricted|private|unavailable)$/i.test(s)) return null;
  const c = canonicalNumber(s);
  return c.ok ? c.number : s.replace(SEPARATORS, '');
}
