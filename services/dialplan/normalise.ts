// What people dial in Russia, turned into one canonical form and a class.
//
// Canonical forms: E.164 with `+` for every public number (`+74951234567`),
// the short code for emergency services (`112`, `101`–`104`), the digits of
// an internal extension (`204`) and the code of a feature (`*72`).
//
// Russian numbering (Rossvyaz plan, Order 142 of 2017): national significant
// numbers (NSN) have 10 digits; `8` is the trunk prefix, `810` the
// international prefix; codes 9xx are mobile, 800 free phone, 803/809
// premium rate; 3xx/4xx/8xx geographic. The +7 country code is shared with
// Kazakhstan (NSN 6xx and 7xx): dialling them from Russia is international
// in price, so they are classed international.
import { z } from 'zod';

export const NUMBER_CLASSES = ['internal', 'feature', 'emergency', 'local', 'toll-free', 'national', 'mobile', 'premium', 'international'] as const;
export type NumberClass = (typeof NUMBER_CLASSES)[number];

/** Emergency short codes dialled in Russia; always routable, never an extension. */
export const EMERGENCY_NUMBERS: ReadonlySet<string> = new Set(['112', '101', '102', '103', '104']);

export const numberingConfigSchema = z
  .object({
    /** The tenant's own area code (3–5 digits); local numbers have 10 − its length digits. Empty: no local dialling. */
    cityCode: z.string().regex(/^([3-9]\d{2,4})?$/, 'must be 3–5 digits starting with 3–9, or empty').default(''),
    /** Further codes billed as local (Moscow: 495 and 499). */
    localAreaCodes: z.array(z.string().regex(/^[3-9]\d{2,4}$/, 'must be 3–5 digits starting with 3–9')).default([]),
    extensionMinLength: z.number().int().min(2).max(6).default(2),
    extensionMaxLength: z.number().int().min(2).max(6).default(6),
    /**
     * "Exit to the city" digit of older office PBXs (`9` or `0`): optional, so
     * `9 8 495 123-45-67` and `8 495 123-45-67` both work. Only stripped when
     * the string is not a valid number on its own (a 10-digit mobile starts with 9).
     */
    outsideLinePrefix: z.enum(['', '0', '9']).default(''),
  })
  .superRefine((c, ctx) => {
    if (c.extensionMinLength > c.extensionMaxLength) {
      ctx.addIssue({ code: 'custom', path: ['extensionMaxLength'], message: 'must not be below extensionMinLength' });
    }
    // A local number as long as an extension would make dial strings ambiguous.
    if (c.cityCode !== '' && 10 - c.cityCode.length <= c.extensionMaxLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['extensionMaxLength'],
        message: `must be below ${10 - c.cityCode.length}, the length of local numbers in area ${c.cityCode}`,
      });
    }
  });
export type NumberingConfig = z.infer<typeof numberingConfigSchema>;

export interface NormalisedNumber {
  /** As received, for the CDR. */
  dialled: string;
  /** What routing and permissions work on: E.164, short code, extension or feature code. */
  number: string;
  class: NumberClass;
}

export type NormaliseFailureCode = 'dialplan-empty' | 'dialplan-invalid-chars' | 'dialplan-too-long' | 'dialplan-incomplete' | 'dialplan-invalid-number';

export type NormaliseResult =
  | ({ ok: true } & NormalisedNumber)
  | { ok: false; code: NormaliseFailureCode; message: string; /** RFC 3261 §21.4: 484 Address Incomplete or 404. */ sipStatus: 404 | 484 };

const MAX_RAW = 64;
// RFC 3966 §5.1.1 visual separators, plus spaces people paste from business cards.
const SEPARATORS = /[\s\-.()]/g;

function failure(code: NormaliseFailureCode, message: string, sipStatus: 404 | 484 = 404): NormaliseResult {
  return { ok: false, code, message, sipStatus };
}

/** Class of a 10-digit Russian NSN, or undefined when no such number exists. */
function classifyNsn(nsn: string, cfg: NumberingConfig): NumberClass | undefined {
  const first = nsn[0];
  if (nsn.startsWith('800')) return 'toll-free';
  if (nsn.startsWith('803') || nsn.startsWith('809')) return 'premium';
  if (first === '9') return 'mobile';
  if (first === '6' || first === '7') return 'international'; // Kazakhstan, shares +7
  if (first !== '3' && first !== '4' && first !== '8') return undefined;
  const localCodes = cfg.cityCode === '' ? cfg.localAreaCodes : [cfg.cityCode, ...cfg.localAreaCodes];
  return localCodes.some((code) => nsn.startsWith(code)) ? 'local' : 'national';
}

function russian(dialled: string, nsn: string, cfg: NumberingConfig): NormaliseResult {
  if (nsn.length < 10) return failure('dialplan-incomplete', `a Russian number needs 10 digits after +7, got ${nsn.length}`, 484);
  if (nsn.length > 10) return failure('dialplan-invalid-number', `a Russian number has 10 digits after +7, got ${nsn.length}`);
  const cls = classifyNsn(nsn, cfg);
  if (!cls) return failure('dialplan-invalid-number', `no Russian numbers start with ${nsn[0]}`);
  return { ok: true, dialled, number: '+7' + nsn, class: cls };
}

/** `digits` follow the country code: E.164 allows 15 digits in all (ITU-T E.164 §6). */
function international(dialled: string, digits: string, cfg: NumberingConfig): NormaliseResult {
  if (digits.startsWith('7')) return russian(dialled, digits.slice(1), cfg);
  if (digits.startsWith('0')) return failure('dialplan-invalid-number', 'a country code does not start with 0');
  if (digits.length < 7) return failure('dialplan-incomplete', 'an international number needs at least 7 digits', 484);
  if (digits.length > 15) return failure('dialplan-invalid-number', 'an international number has at most 15 digits');
  return { ok: true, dialled, number: '+' + digits, class: 'international' };
}

export function normaliseDialString(dialledRaw: string, cfg: NumberingConfig): NormaliseResult {
  const p = cfg.outsideLinePrefix;
  const s = dialledRaw.trim().replace(SEPARATORS, '');
  // Someone in a hurry dials 9-112: emergency wins over an extension 9112 (which isReservedExtension forbids).
  if (p !== '' && s.startsWith(p) && EMERGENCY_NUMBERS.has(s.slice(p.length))) {
    return { ok: true, dialled: dialledRaw.trim(), number: s.slice(p.length), class: 'emergency' };
  }
  const direct = normaliseDigits(dialledRaw, cfg);
  if (direct.ok || p === '') return direct;
  if (!s.startsWith(p) || s.length <= p.length) return direct;
  const stripped = normaliseDigits(s.slice(p.length), cfg);
  // Only an external number follows the outside-line digit.
  if (!stripped.ok || stripped.class === 'internal' || stripped.class === 'feature') return direct;
  return { ...stripped, dialled: dialledRaw.trim() };
}

function normaliseDigits(dialledRaw: string, cfg: NumberingConfig): NormaliseResult {
  const dialled = dialledRaw.trim();
  if (dialled === '') return failure('dialplan-empty', 'nothing was dialled', 484);
  if (dialled.length > MAX_RAW) return failure('dialplan-too-long', `a dial string has at most ${MAX_RAW} characters`);
  const s = dialled.replace(SEPARATORS, '');
  if (/^\*[0-9*#]{1,8}$/.test(s)) return { ok: true, dialled, number: s, class: 'feature' };
  if (!/^\+?\d+$/.test(s)) return failure('dialplan-invalid-chars', 'only digits, a leading + and separators " -.()" are allowed');
  if (s.startsWith('+')) return international(dialled, s.slice(1), cfg);
  if (EMERGENCY_NUMBERS.has(s)) return { ok: true, dialled, number: s, class: 'emergency' };
  // 810 before the trunk prefix 8: no NSN starts with 1, so `810…` is never national.
  if (s.startsWith('810')) return international(dialled, s.slice(3), cfg);
  if (s.length === 11 && (s[0] === '8' || s[0] === '7')) return russian(dialled, s.slice(1), cfg);
  if (s.length === 10) return russian(dialled, s, cfg);
  if (cfg.cityCode !== '' && s.length === 10 - cfg.cityCode.length) {
    // Phones send what was keyed when the inter-digit timer fires: `8 916 123` is a national number cut short.
    if (s.startsWith('8')) return failure('dialplan-incomplete', 'after the trunk prefix 8 a 10-digit number is expected', 484);
    if (!/^[2-79]/.test(s)) return failure('dialplan-invalid-number', 'a local number starts with 2–7 or 9');
    return russian(dialled, cfg.cityCode + s, cfg);
  }
  if (s.length >= cfg.extensionMinLength && s.length <= cfg.extensionMaxLength) return { ok: true, dialled, number: s, class: 'internal' };
  if (s.length < 10) return failure('dialplan-incomplete', `${s.length} digits are neither an extension nor a full number`, 484);
  return failure('dialplan-invalid-number', `${s.length} digits do not form a number`);
}

/** Extensions may not take an emergency code (or, with an outside-line digit, that digit plus one). */
export function isReservedExtension(extension: string, cfg?: Pick<NumberingConfig, 'outsideLinePrefix'>): boolean {
  if (EMERGENCY_NUMBERS.has(extension)) return true;
  const p = cfg?.outsideLinePrefix ?? '';
  return p !== '' && extension.startsWith(p) && EMERGENCY_NUMBERS.has(extension.slice(p.length));
}
