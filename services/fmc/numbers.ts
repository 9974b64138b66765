// Numbers as GSM gateways and operators present them, made E.164. A GoIP or
// Yeastar forwards the GSM caller ID as the network gave it: 7 digits for a
// local caller (`2293042`), `8…` or `7…` with 11 digits, 10 digits without a
// trunk prefix, or `+7…` (wave2-facts.md §1, MikoPBX's normalisation). The
// gateway's city code turns a 7-digit local number into +7 <code> <number>.

const SEPARATORS = /[\s\-.()]/g;
const WITHHELD = /^(anonymous|unknown|restricted|private|unavailable|withheld)$/i;

export type NormalisedNumber = { ok: true; e164: string } | { ok: false; reason: 'withheld' | 'invalid'; message: string };

/** A Russian area code (ABC) or mobile code (DEF): 3–5 digits, first 3–9; the local number then fills 10 digits. */
export function validCityCode(code: string): boolean {
  return /^[3-9]\d{2,4}$/.test(code);
}

export function normaliseNumber(raw: string | null | undefined, opts: { cityCode?: string | null } = {}): NormalisedNumber {
  if (raw === null || raw === undefined || WITHHELD.test(raw.trim()) || raw.trim() === '') return { ok: false, reason: 'withheld', message: 'no caller number' };
  let s = raw.replace(SEPARATORS, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!/^\+?\d+$/.test(s)) return { ok: false, reason: 'invalid', message: 'must be digits with an optional leading +' };
  if (s.startsWith('+')) {
    if (s.length < 8 || s.length > 16 || s[1] === '0') return { ok: false, reason: 'invalid', message: 'must be +, a country code and at most 15 digits' };
    if (s.startsWith('+7') && s.length !== 12) return { ok: false, reason: 'invalid', message: 'a +7 number has 10 digits after +7' };
    return { ok: true, e164: s };
  }
  if (s.length === 11 && (s[0] === '8' || s[0] === '7')) return { ok: true, e164: `+7${s.slice(1)}` };
  if (s.length === 10 && /^[3-9]/.test(s)) return { ok: true, e164: `+7${s}` };
  if (s.length > 11 && s.startsWith('810')) return normaliseNumber(`+${s.slice(3)}`);
  const city = opts.cityCode ?? null;
  if (city && validCityCode(city) && s.length === 10 - city.length) return { ok: true, e164: `+7${city}${s}` };
  return { ok: false, reason: 'invalid', message: `not a number the gateway can mean: ${s.length} digits` };
}

/**
 * A Russian mobile number: +7 9xx xxx-xx-xx. All mobile (DEF) codes of the
 * Russian numbering plan start with 9; +7 7xx is Kazakhstan.
 */
export function isRussianMobile(e164: string): boolean {
  return /^\+79\d{9}$/.test(e164);
}

/** An MSISDN in any of the forms people type, or why it is not a Russian mobile number. */
export function parseMsisdn(raw: string): { ok: true; e164: string } | { ok: false; message: string } {
  const n = normaliseNumber(raw);
  if (!n.ok) return { ok: false, message: n.reason === 'withheld' ? 'required' : `must be a Russian mobile number (+79…, 89… or 9…): ${n.message}` };
  if (!isRussianMobile(n.e164)) return { ok: false, message: 'must be a Russian mobile number: +7 9xx xxx-xx-xx' };
  return { ok: true, e164: n.e164 };
}
