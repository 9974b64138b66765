// ICCID (ITU-T E.118): "89" (telecommunications), the country code, the
// issuer and the card's serial number, then a Luhn check digit (ISO/IEC
// 7812-1 annex B). Cards carry 19 or 20 digits (18 or 19 + check digit);
// Russian ones start 897. The check digit catches every single mistyped
// digit and most swapped neighbours, which is what a CSV typed from the
// card's plastic gets wrong.

/** ISO/IEC 7812-1 Luhn: true when the last digit checks the others. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn digit that completes `body`. */
export function luhnCheckDigit(body: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(`${body}${c}`)) return String(c);
  throw new Error('unreachable: one of ten digits always checks');
}

export function parseIccid(raw: string): { ok: true; iccid: string } | { ok: false; message: string } {
  const s = raw.replace(/[\s-]/g, '');
  if (s === '') return { ok: false, message: 'required' };
  if (!/^\d+$/.test(s)) return { ok: false, message: 'must be digits only' };
  if (s.length < 19 || s.length > 20) return { ok: false, message: `must be 19 or 20 digits, got ${s.length}` };
  if (!s.startsWith('89')) return { ok: false, message: 'must start with 89 (ITU-T E.118 telecommunications)' };
  if (!luhnValid(s)) return { ok: false, message: `bad check digit: the last digit should be ${luhnCheckDigit(s.slice(0, -1))}` };
  return { ok: true, iccid: s };
}
