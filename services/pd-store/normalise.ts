// What blind indexes are computed over: a phone number in E.164 and a name
// folded so that the spellings people type find each other.
//
// Numbers: Russian habits first (8 916…, +7 916…, 7 916…, 916… with ten
// digits), anything else must come with its country code (`+44…`, `00 44…`,
// `810 44…`). ITU-T E.164 §6: at most 15 digits with the country code.
import { numberInvalid } from './errors';

const SEPARATORS = /[\s\-.()/]/g;

export type NumberResult = { ok: true; e164: string } | { ok: false; message: string };

export function normalisePhone(raw: string): NumberResult {
  const s = raw.trim().replace(SEPARATORS, '');
  if (s === '') return { ok: false, message: 'is empty' };
  if (!/^\+?\d+$/.test(s)) return { ok: false, message: 'may hold only digits, a leading +, spaces, dashes, dots and brackets' };
  let intl: string | undefined;
  if (s.startsWith('+')) intl = s.slice(1);
  else if (s.startsWith('00')) intl = s.slice(2);
  else if (s.startsWith('810') && s.length > 13) intl = s.slice(3);
  else if (s.length === 11 && (s[0] === '8' || s[0] === '7')) intl = '7' + s.slice(1);
  else if (s.length === 10 && /^[3-9]/.test(s)) intl = '7' + s;
  if (intl === undefined) return { ok: false, message: 'is not a full number: give it with the country code (+7 916 123-45-67)' };
  if (intl[0] === '0') return { ok: false, message: 'country codes do not start with 0' };
  if (intl.startsWith('7') && intl.length !== 11) return { ok: false, message: 'a +7 number has 10 digits after the country code' };
  if (intl.length < 8 || intl.length > 15)
    return { ok: false, message: 'an international number has 8–15 digits with the country code (E.164)' };
  return { ok: true, e164: '+' + intl };
}

/** The E.164 form, or a validation error naming the field. */
export function requirePhone(field: string, raw: string): string {
  const r = normalisePhone(raw);
  if (!r.ok) throw numberInvalid(field, r.message);
  return r.e164;
}

/**
 * A name folded for search: Unicode NFKC, lower case, ё → е (Russian
 * spelling allows both), letters and digits only, words split on the rest.
 */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}
